// ROCA (CVE-2017-15361) fingerprint, from Nemec et al., "The Return of Coppersmith's Attack"
// (CCS 2017): moduli made by the flawed Infineon library satisfy n mod p ∈ <65537> (mod p)
// for every small prime p below. A random modulus passes all of them with negligible odds.
const primes = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139,
  149, 151, 157, 163, 167,
] as const;

let subgroups: ReadonlyArray<ReadonlySet<number>> | undefined;

function generatorSubgroups(): ReadonlyArray<ReadonlySet<number>> {
  subgroups ??= primes.map((p) => {
    const members = new Set<number>();
    const generator = 65537 % p;
    let element = 1;
    do {
      members.add(element);
      element = (element * generator) % p;
    } while (!members.has(element));
    return members;
  });
  return subgroups;
}

/** True when an RSA modulus carries the ROCA fingerprint and so must be refused. */
export function isRocaVulnerableModulus(modulus: bigint): boolean {
  const groups = generatorSubgroups();
  return primes.every((p, i) => (groups[i] as ReadonlySet<number>).has(Number(modulus % BigInt(p))));
}
