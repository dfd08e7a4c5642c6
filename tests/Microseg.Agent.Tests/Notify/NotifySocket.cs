using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Microseg.Agent.Tests.Notify;

/// <summary>
/// A datagram socket standing in for systemd's notify socket: a path in a temporary
/// directory, or an abstract name. Every message received is kept, in order.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _directory;
    private readonly BlockingCollection<string> _incoming = [];
    private readonly List<string> _seen = [];
    private readonly Thread _receiver;

    public NotifySocket(bool isAbstract = false)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        if (isAbstract)
        {
            var name = $"microseg-test-notify-{Environment.ProcessId}-{Guid.NewGuid():N}";
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            Name = "@" + name;
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("microseg-notify-").FullName;
            Name = Path.Combine(_directory, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Name));
        }
        _receiver = new Thread(Receive) { IsBackground = true };
        _receiver.Start();
    }

    /// <summary>What NOTIFY_SOCKET is set to.</summary>
    public string Name { get; }

    /// <summary>Every message so far.</summary>
    public IReadOnlyList<string> Seen
    {
        get
        {
            lock (_seen)
                return [.. _seen];
        }
    }

    /// <summary>The first message from now on whose assignments include <paramref name="assignment"/>; fails after the timeout.</summary>
    public string WaitFor(string assignment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_incoming.TryTake(out var message, left))
            {
                Assert.Fail($"no {assignment} within {timeout.TotalSeconds:0.#} s; received: {string.Join(" | ", Seen.Select(s => s.Replace('\n', ' ')))}");
                return "";
            }
            if (message.Split('\n').Contains(assignment))
                return message;
        }
    }

    /// <summary>The value of KEY in a message, or null.</summary>
    public static string? Value(string message, string key) =>
        message.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    private void Receive()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = _socket.Receive(buffer);
                var message = Encoding.UTF8.GetString(buffer, 0, n);
                lock (_seen)
                    _seen.Add(message);
                _incoming.Add(message);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null)
            Directory.Delete(_directory, recursive: true);
    }
}
