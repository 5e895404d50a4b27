export { deriveMatcher, signatureKey } from './derive';
