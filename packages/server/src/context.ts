import type { CropEmbedder } from './face/embedder.js';
import type { TemplateCipher } from './face/template-cipher.js';
import type { KeyStore } from './keys/key-store.js';
import type { ServerConfig } from './options.js';
import type { Store } from './store/store.js';
import type { TokenChecker } from './tokens.js';

/** What every route works with. */
export interface AppContext {
  config: ServerConfig;
  store: Store;
  keys: KeyStore;
  /** The tokens' `iss`; set once the server listens (its URL, unless configured). */
  issuer: string;
  tokens: TokenChecker;
  /** Seals and opens stored face templates. */
  templates: TemplateCipher;
  /** The Node face embedder for `frames` mode, loaded on first use. */
  embedder: CropEmbedder;
}
