export { deriveMatcher, derivable, signatureKey } from './derive';
