import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCode, FACE_TEMPLATE_DIMS, FacePayError } from '@facepay/protocol';
import type { TemplateKey } from './template-key.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PLAIN_BYTES = FACE_TEMPLATE_DIMS * 4;

/**
 * Seals face templates for storage: AES-256-GCM (node:crypto), a random 96-bit IV per
 * template, and additional data binding the merchant and the customer, so a sealed
 * template moved to another row (another customer, another merchant) no longer opens.
 * Sealed text: `v1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`. The plaintext is the
 * template's FACE_TEMPLATE_DIMS float32 values, little-endian.
 */
export class TemplateCipher {
  readonly #key: TemplateKey;

  constructor(key: TemplateKey) {
    this.#key = key;
  }

  seal(merchantId: string, customer: string, template: Float32Array): string {
    if (template.length !== FACE_TEMPLATE_DIMS) throw new TypeError(`a template has ${FACE_TEMPLATE_DIMS} values, got ${template.length}`);
    const plain = Buffer.alloc(PLAIN_BYTES);
    template.forEach((value, i) => plain.writeFloatLE(value, i * 4));
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(merchantId, customer));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    plain.fill(0);
    return `${VERSION}.${this.#key.id}.${sealed.toString('base64url')}`;
  }

  /** The template; an `internal-error` FacePayError when it was sealed with another key, for another row, or was altered. */
  open(merchantId: string, customer: string, sealed: string): Float32Array {
    const [version, keyId, data, ...rest] = sealed.split('.');
    if (version !== VERSION || rest.length > 0 || !data) throw unreadable('it is not a sealed template of this version');
    if (keyId !== this.#key.id) throw unreadable(`it was sealed with key ${keyId}, this server has key ${this.#key.id} (FACEPAY_TEMPLATE_KEY or the data directory's template.key)`);
    const bytes = Buffer.from(data, 'base64url');
    if (bytes.length !== IV_BYTES + PLAIN_BYTES + TAG_BYTES) throw unreadable('it has the wrong length');
    const decipher = createDecipheriv('aes-256-gcm', this.#key.key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(merchantId, customer));
    decipher.setAuthTag(bytes.subarray(IV_BYTES + PLAIN_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, IV_BYTES + PLAIN_BYTES)), decipher.final()]);
    } catch {
      throw unreadable('it does not authenticate: altered, or stored under another merchant or customer');
    }
    const template = new Float32Array(FACE_TEMPLATE_DIMS);
    for (let i = 0; i < FACE_TEMPLATE_DIMS; i++) template[i] = plain.readFloatLE(i * 4);
    plain.fill(0);
    return template;
  }
}

/** Binds a sealed template to its row. NUL cannot occur in merchant or customer ids. */
function additionalData(merchantId: string, customer: string): Buffer {
  return Buffer.from(`facepay face template ${VERSION}\0${merchantId}\0${customer}`, 'utf8');
}

function unreadable(why: string): FacePayError {
  return new FacePayError(ErrorCode.InternalError, `A stored face template cannot be opened: ${why}`);
}
