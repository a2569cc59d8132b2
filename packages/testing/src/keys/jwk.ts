/**
 * A JSON Web Key (RFC 7517) as the local IdP hands keys out: the members it uses, named, and
 * any other member allowed. Its own type rather than jose's, so that the published declarations
 * import nothing from jose (an ESM-only package a CommonJS consumer's `node16` resolution refuses).
 */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  x5c?: string[];
  [member: string]: unknown;
}
