using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Notify;

/// <summary>
/// Sends sd_notify datagrams to NOTIFY_SOCKET: a filesystem path, or an abstract socket
/// written with a leading '@' (sent with a leading NUL byte, as sd_notify does). Active only
/// when the variable is set; the test constructor takes the socket name directly.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier, IDisposable
{
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Socket? _socket;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();

    /// <summary>Reads NOTIFY_SOCKET from the environment.</summary>
    public SystemdNotifier(ILogger<SystemdNotifier>? logger = null)
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), logger)
    {
    }

    /// <summary>Sends to <paramref name="socketName"/> (null or empty: disabled).</summary>
    public SystemdNotifier(string? socketName, ILogger? logger = null)
    {
        _logger = logger;
        if (string.IsNullOrEmpty(socketName))
            return;
        if (socketName[0] != '/' && socketName[0] != '@')
        {
            // sd_notify accepts only these two forms (and vsock, which a host daemon does not need).
            logger?.LogWarning("NOTIFY_SOCKET={Socket} is neither a path nor an abstract '@' name; not notifying.", socketName);
            return;
        }
        _endpoint = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        SocketName = socketName;
    }

    /// <summary>The socket as NOTIFY_SOCKET named it.</summary>
    public string? SocketName { get; }

    public bool IsEnabled => _socket is not null;

    public void Notify(string state)
    {
        if (_socket is null)
            return;
        var bytes = Encoding.UTF8.GetBytes(state);
        try
        {
            lock (_lock)
                _socket.SendTo(bytes, SocketFlags.None, _endpoint!);
        }
        catch (SocketException e)
        {
            _logger?.LogWarning("Could not notify the service manager at {Socket} ({Error}).", SocketName, e.Message);
        }
    }

    public void Dispose() => _socket?.Dispose();
}
