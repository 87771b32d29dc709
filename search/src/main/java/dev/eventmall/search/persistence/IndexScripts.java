package dev.eventmall.search.persistence;

/**
 * The Lua scripts of the index. Each runs atomically in Redis: applying an event compares versions and writes in one
 * step, a search builds and drops its temporary sets in one step (so fixed temporary key names are safe). Keys are
 * derived inside the scripts from the prefix (ARGV[1]), so they target a standalone Redis (not Redis Cluster).
 */
final class IndexScripts {
  private IndexScripts() {
  }

  /** Removes a product's tokens and category membership as recorded in its hash (shared by upsert and delete). */
  private static final String PRELUDE = """
    local p, id, v = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local hkey = p .. 'product:' .. id
    local cur = tonumber(redis.call('HGET', hkey, 'version') or '0')
    local tomb = tonumber(redis.call('GET', p .. 'tomb:' .. id) or '0')
    if v <= cur or v <= tomb then return 0 end
    local old = redis.call('HMGET', hkey, 'tokens', 'categoryKey')
    if old[1] then
      for t in string.gmatch(old[1], '%S+') do redis.call('ZREM', p .. 'tok:' .. t, id) end
    end
    if old[2] then redis.call('SREM', p .. 'cat:' .. old[2], id) end
    redis.call('DEL', hkey)
    """;

  /**
   * Upsert when newer. ARGV: prefix, id, version, sellerId, name, category, categoryKey, price, imageUrl,
   * createdAtMillis, updatedAt, tokens (space separated), weights (space separated, same order). Returns the new
   * index version (≥ 1) when applied, 0 when the stored version or tombstone is as new or newer.
   */
  static final String UPSERT = PRELUDE + """
    local weights = {}
    for w in string.gmatch(ARGV[13], '%S+') do weights[#weights + 1] = w end
    local i = 0
    for t in string.gmatch(ARGV[12], '%S+') do
      i = i + 1
      redis.call('ZADD', p .. 'tok:' .. t, weights[i], id)
    end
    redis.call('SADD', p .. 'cat:' .. ARGV[7], id)
    redis.call('ZADD', p .. 'price', ARGV[8], id)
    redis.call('ZADD', p .. 'created', ARGV[10], id)
    redis.call('HSET', hkey, 'productId', id, 'version', ARGV[3], 'sellerId', ARGV[4], 'name', ARGV[5],
      'category', ARGV[6], 'categoryKey', ARGV[7], 'price', ARGV[8], 'imageUrl', ARGV[9], 'createdAt', ARGV[10],
      'updatedAt', ARGV[11], 'tokens', ARGV[12])
    return redis.call('INCR', p .. 'index-version')
    """;

  /**
   * Delete when newer: removes every trace and leaves the tombstone {@code tomb:<id> = version}. ARGV: prefix, id,
   * version, tombstone TTL seconds (0 = permanent). Returns the new index version (≥ 1) when applied, else 0.
   */
  static final String DELETE = PRELUDE + """
    redis.call('ZREM', p .. 'price', id)
    redis.call('ZREM', p .. 'created', id)
    local ttl = tonumber(ARGV[4])
    if ttl > 0 then
      redis.call('SET', p .. 'tomb:' .. id, ARGV[3], 'EX', ttl)
    else
      redis.call('SET', p .. 'tomb:' .. id, ARGV[3])
    end
    return redis.call('INCR', p .. 'index-version')
    """;

  /** ARGV: prefix, cache hash. Returns {index version, cached JSON or nil}. */
  static final String CACHE_LOOKUP = """
    local v = redis.call('GET', ARGV[1] .. 'index-version') or '0'
    return {v, redis.call('GET', ARGV[1] .. 'cache:' .. ARGV[2] .. ':' .. v)}
    """;

  /**
   * ARGV: prefix, categoryKey ('' = any), min price ('-inf' = none), max price ('+inf' = none), sort, offset, count,
   * then the query tokens (all must match; relevance = sum of their weights). Returns {index version, total, then per
   * hit: id, score, name, category, price, imageUrl, createdAt}.
   */
  static final String SEARCH = """
    local p = ARGV[1]
    local hits, order = p .. 'tmp:hits', p .. 'tmp:order'
    local cat = ARGV[2]
    local ntok = #ARGV - 7
    if ntok > 0 then
      local args = {'ZINTERSTORE', hits, ntok}
      for i = 8, #ARGV do args[#args + 1] = p .. 'tok:' .. ARGV[i] end
      redis.call(unpack(args))
      if cat ~= '' then redis.call('ZINTERSTORE', hits, 2, hits, p .. 'cat:' .. cat, 'WEIGHTS', 1, 0) end
    elseif cat ~= '' then
      redis.call('ZUNIONSTORE', hits, 1, p .. 'cat:' .. cat, 'WEIGHTS', 0)
    else
      redis.call('ZUNIONSTORE', hits, 1, p .. 'price', 'WEIGHTS', 0)
    end
    redis.call('ZINTERSTORE', order, 2, hits, p .. 'price', 'WEIGHTS', 0, 1)
    if ARGV[3] ~= '-inf' or ARGV[4] ~= '+inf' then
      if ARGV[3] ~= '-inf' then redis.call('ZREMRANGEBYSCORE', order, '-inf', '(' .. ARGV[3]) end
      if ARGV[4] ~= '+inf' then redis.call('ZREMRANGEBYSCORE', order, '(' .. ARGV[4], '+inf') end
      redis.call('ZINTERSTORE', hits, 2, hits, order, 'WEIGHTS', 1, 0)
    end
    local from = tonumber(ARGV[6])
    local to = from + tonumber(ARGV[7]) - 1
    local sort = ARGV[5]
    local ids
    if sort == 'price_asc' then
      ids = redis.call('ZRANGE', order, from, to)
    elseif sort == 'price_desc' then
      ids = redis.call('ZREVRANGE', order, from, to)
    elseif sort == 'newest' then
      redis.call('ZINTERSTORE', order, 2, hits, p .. 'created', 'WEIGHTS', 0, 1)
      ids = redis.call('ZREVRANGE', order, from, to)
    else
      ids = redis.call('ZREVRANGE', hits, from, to)
    end
    local out = {redis.call('GET', p .. 'index-version') or '0', redis.call('ZCARD', hits)}
    for _, id in ipairs(ids) do
      local f = redis.call('HMGET', p .. 'product:' .. id, 'name', 'category', 'price', 'imageUrl', 'createdAt')
      out[#out + 1] = id
      out[#out + 1] = redis.call('ZSCORE', hits, id)
      for j = 1, 5 do out[#out + 1] = f[j] end
    end
    redis.call('DEL', hits, order)
    return out
    """;
}
