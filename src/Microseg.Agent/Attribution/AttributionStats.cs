namespace Microseg.Agent.Attribution;

/// <summary>What local-unit attribution did since the daemon started.</summary>
/// <param name="Queued">New flows handed to the resolver thread (not named from the cache).</param>
/// <param name="Named">Flows the resolver named.</param>
/// <param name="Unnamed">Flows the resolver found no socket for (closed already, or none: a denied probe of a closed port), or whose cgroup is gone.</param>
/// <param name="Dropped">Flows left unnamed because the queue was full.</param>
/// <param name="CacheHits">Flows named at once from a listening socket's cached unit.</param>
public readonly record struct AttributionStats(long Queued, long Named, long Unnamed, long Dropped, long CacheHits);
