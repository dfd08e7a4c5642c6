namespace Microseg.Agent.Attribution;

/// <summary>What a lookup found.</summary>
/// <param name="Unit">The unit (or cgroup path) of the socket; null when there was no socket or its cgroup is gone.</param>
/// <param name="Shared">The socket is a listening or unconnected one, serving every flow to its port: the answer may be cached for the port.</param>
/// <param name="Found">A socket was found.</param>
internal readonly record struct LocalUnitLookup(string? Unit, bool Shared, bool Found);
