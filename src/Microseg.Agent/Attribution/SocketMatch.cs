namespace Microseg.Agent.Attribution;

/// <summary>The socket the kernel's socket table holds for a flow's local side.</summary>
/// <param name="CgroupId">The cgroup v2 id of the socket (the cgroup of the process that created it).</param>
/// <param name="Shared">
/// True for a listening TCP socket or an unconnected UDP socket: it serves every flow to its
/// port, so what it is named can be cached for the port. False for one connection's socket.
/// </param>
internal readonly record struct SocketMatch(ulong CgroupId, bool Shared);
