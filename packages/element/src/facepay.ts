// The script-tag bundle: `<script type="module" src=".../facepay.js">` registers
// <facepay-checkout>. The worker, wasm and model are looked up beside this file
// (vision.worker.js, wasm/, models/) unless the element's `assets-base` says otherwise.
export * from './define.js';
