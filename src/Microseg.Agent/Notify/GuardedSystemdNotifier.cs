using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Notify;

/// <summary>
/// The package's <see cref="SystemdNotifier"/> with the two guards sd_notify(3) has and it lacks:
/// a NOTIFY_SOCKET that is neither a path nor an abstract '@' name disables it (with a warning)
/// instead of being resolved against the working directory, and a failed send (the manager's
/// socket gone) is logged, never thrown, so a watchdog ping or a READY=1 cannot stop the daemon.
/// </summary>
public sealed class GuardedSystemdNotifier : ISystemdNotifier
{
    private const string SocketVariable = "NOTIFY_SOCKET";

    // The package's notifier, which sends; null when disabled.
    private readonly ISystemdNotifier? _inner;

    private readonly ILogger? _logger;

    /// <summary>Sends to the socket NOTIFY_SOCKET names, as the package's notifier reads it now.</summary>
    public GuardedSystemdNotifier(ILogger? logger = null)
        : this(new SystemdNotifier(), Environment.GetEnvironmentVariable(SocketVariable), logger)
    {
    }

    /// <param name="inner">Sends the messages.</param>
    /// <param name="socketName">The NOTIFY_SOCKET <paramref name="inner"/> was built with (null or empty: disabled).</param>
    /// <param name="logger">Where a refused name or a failed send is reported.</param>
    internal GuardedSystemdNotifier(ISystemdNotifier inner, string? socketName, ILogger? logger)
    {
        _logger = logger;
        if (string.IsNullOrEmpty(socketName) || !inner.IsEnabled)
            return;
        if (socketName[0] != '/' && socketName[0] != '@')
        {
            // sd_notify accepts only these two forms (and vsock, which a host daemon does not need).
            logger?.LogWarning("NOTIFY_SOCKET={Socket} is neither a path nor an abstract '@' name; not notifying.", socketName);
            return;
        }
        if (!IsValidAddress(socketName))
        {
            // The package would find out at every send; once, here, is enough.
            logger?.LogWarning("NOTIFY_SOCKET={Socket} is too long for a unix socket address; not notifying.", socketName);
            return;
        }
        _inner = inner;
        SocketName = socketName;
    }

    private static bool IsValidAddress(string socketName)
    {
        try
        {
            _ = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The socket as NOTIFY_SOCKET named it, when enabled.</summary>
    public string? SocketName { get; }

    public bool IsEnabled => _inner is not null;

    public void Notify(ServiceState state)
    {
        if (_inner is null)
            return;
        try
        {
            _inner.Notify(state);
        }
        catch (SocketException e)
        {
            _logger?.LogWarning("Could not notify the service manager at {Socket} ({Error}).", SocketName, e.Message);
        }
    }
}
