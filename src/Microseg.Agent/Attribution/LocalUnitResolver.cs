using Microseg.Bpf;
using Microseg.Flows.Records;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Attribution;

/// <summary>
/// Names the local side of a flow: the socket the kernel holds for it (<see cref="SockDiagSocket"/>,
/// in the network namespace of the interface the flow crossed), that socket's cgroup, and the
/// cgroup's systemd unit (<see cref="CgroupUnits"/>). Slow by the event thread's standards (two
/// system calls, now and then a walk of the cgroups): the resolver thread calls it, never the drain.
/// Not thread-safe.
/// </summary>
internal sealed class LocalUnitResolver : ILocalUnitResolver
{
    /// <summary>How long a namespace whose socket could not be opened is left alone before trying again.</summary>
    private static readonly TimeSpan RetryOpenAfter = TimeSpan.FromMinutes(1);

    private readonly CgroupUnits _cgroups;
    private readonly Func<uint, IReadOnlyList<string?>> _namespacesOf;
    private readonly ILogger _logger;

    // One sock_diag socket per network namespace ("" is the daemon's own); null while it cannot be opened.
    private readonly Dictionary<string, (SockDiagSocket? Socket, long FailedAt)> _sockets = new(StringComparer.Ordinal);

    private static readonly IReadOnlyList<string?> s_ownNamespace = [null];

    /// <param name="logger">Where failures to ask the kernel are told, once per namespace.</param>
    /// <param name="cgroupMount">The cgroup2 mount; null finds it in /proc/self/mountinfo.</param>
    /// <param name="namespacesOf">
    /// The network namespaces (null for the daemon's own) an interface index may be in, most likely
    /// first; the daemon's attached interfaces say. Null: every flow is in the daemon's own.
    /// </param>
    public LocalUnitResolver(ILogger logger, string? cgroupMount = null, Func<uint, IReadOnlyList<string?>>? namespacesOf = null)
    {
        _logger = logger;
        _namespacesOf = namespacesOf ?? (_ => s_ownNamespace);
        _cgroups = new CgroupUnits(cgroupMount ?? CgroupUnits.FindMountPoint(), logger);
        if (_cgroups.MountPoint is null)
            logger.LogWarning("No cgroup2 file system is mounted: flows are not named with their local unit.");
    }

    /// <summary>Walks of the cgroup tree made so far.</summary>
    public int CgroupWalks => _cgroups.Walks;

    /// <summary>The local unit of <paramref name="record"/>'s socket; no unit when there is no socket, or its cgroup cannot be named.</summary>
    public LocalUnitLookup Resolve(in FlowRecord record)
    {
        if (!FlowText.HasPorts(record.Protocol))
            return default;
        foreach (string? ns in _namespacesOf(record.Ifindex))
        {
            SockDiagSocket? socket = SocketFor(ns ?? "");
            if (socket is null)
                continue;
            SocketMatch? match;
            try
            {
                match = socket.Find(record.Protocol, record.LocalAddress, record.LocalPort, record.RemoteAddress, record.RemotePort);
            }
            catch (IOException e)
            {
                _logger.LogWarning("Asking the kernel for a flow's socket failed{Where}: {Error}; the socket is opened again.",
                    ns is null ? "" : $" in network namespace {ns}", e.Message);
                socket.Dispose();
                _sockets.Remove(ns ?? "");
                continue;
            }
            if (match is { } found)
                return new LocalUnitLookup(_cgroups.UnitOf(found.CgroupId), found.Shared, Found: true);
        }
        return default;
    }

    private SockDiagSocket? SocketFor(string ns)
    {
        if (_sockets.TryGetValue(ns, out var entry) &&
            (entry.Socket is not null || Environment.TickCount64 - entry.FailedAt < (long)RetryOpenAfter.TotalMilliseconds))
            return entry.Socket;
        try
        {
            SockDiagSocket socket;
            if (ns.Length == 0)
            {
                socket = SockDiagSocket.Open();
            }
            else
            {
                // A socket belongs to the namespace it was made in for its whole life.
                using var netns = NetworkNamespace.Open(ns);
                socket = netns.Run(SockDiagSocket.Open);
            }
            _sockets[ns] = (socket, 0);
            return socket;
        }
        catch (Exception e) when (e is IOException or BpfException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Flows{Where} are not named with their local unit: {Error}",
                ns.Length == 0 ? "" : $" in network namespace {ns}", e.Message);
            _sockets[ns] = (null, Environment.TickCount64);
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var (socket, _) in _sockets.Values)
            socket?.Dispose();
        _sockets.Clear();
    }
}
