/** Deletes the lock only while it still holds this replica's nonce, so a late release never frees another replica's lock. */
export const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Deletes the entry only while its value starts with the given token tag and a dot: the entry
 * still holds the refused token, so fifty replicas seeing one 401 do not evict the fresh token
 * the first of them stored.
 */
export const DELETE_IF_TOKEN = `local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '.' then return redis.call('DEL', KEYS[1]) end
return 0`;
