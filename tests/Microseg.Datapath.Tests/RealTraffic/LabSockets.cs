using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microseg.Bpf;

namespace Microseg.Datapath.Tests.RealTraffic;

/// <summary>
/// Real sockets for the lab. Each is created inside a namespace (and lives there for good);
/// every wait is bounded, so a dropped packet shows up as a timeout, never as a hung test.
/// </summary>
internal static class LabSockets
{
    /// <summary>How long something that should happen may take: generous for a loaded 2-core CI box.</summary>
    public static readonly TimeSpan Expected = TimeSpan.FromSeconds(5);
    /// <summary>How long to wait for something that must not happen (a dropped SYN retries at 1 s).</summary>
    public static readonly TimeSpan Refused = TimeSpan.FromSeconds(1.5);

    public static Socket ListenTcp(NetworkNamespace ns, IPAddress address, int port) => ns.Run(() =>
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, port));
        socket.Listen();
        return socket;
    });

    public static Socket BindUdp(NetworkNamespace ns, IPAddress address, int port) => ns.Run(() =>
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, port));
        return socket;
    });

    /// <summary>A TCP connection from inside <paramref name="ns"/>, or null if it did not complete within <paramref name="timeout"/>.</summary>
    public static async Task<Socket?> TryConnectAsync(NetworkNamespace ns, IPAddress address, int port, TimeSpan timeout)
    {
        var socket = ns.Run(() => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token);
            return socket;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>A connection that must be accepted in time.</summary>
    public static Socket Accept(Socket listener)
    {
        Assert.True(listener.Poll(Expected, SelectMode.SelectRead), $"no connection reached {listener.LocalEndPoint} within {Expected.TotalSeconds} s");
        var accepted = listener.Accept();
        accepted.NoDelay = true;
        return accepted;
    }

    public static void Send(Socket socket, string text) =>
        Assert.Equal(Encoding.ASCII.GetByteCount(text), socket.Send(Encoding.ASCII.GetBytes(text)));

    /// <summary>Exactly <paramref name="length"/> bytes from a stream socket, or null if they did not all arrive in time.</summary>
    public static string? TryReceive(Socket socket, int length, TimeSpan timeout)
    {
        var buffer = new byte[length];
        var received = 0;
        var clock = Stopwatch.StartNew();
        while (received < length)
        {
            var left = timeout - clock.Elapsed;
            // Poll waits for readability without consuming: nothing is lost on a timeout.
            if (left <= TimeSpan.Zero || !socket.Poll(left, SelectMode.SelectRead))
                return null;
            var n = socket.Receive(buffer, received, length - received, SocketFlags.None);
            if (n == 0)
                return null; // closed by the peer
            received += n;
        }
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Text that must arrive in time.</summary>
    public static void Expect(Socket socket, string text) =>
        Assert.Equal(text, TryReceive(socket, Encoding.ASCII.GetByteCount(text), Expected));

    /// <summary>One datagram and its sender, or null if none arrived in time.</summary>
    public static (string Text, IPEndPoint From)? TryReceiveFrom(Socket socket, TimeSpan timeout)
    {
        if (!socket.Poll(timeout, SelectMode.SelectRead))
            return null;
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var n = socket.ReceiveFrom(buffer, ref from);
        return (Encoding.ASCII.GetString(buffer, 0, n), (IPEndPoint)from);
    }

    public static int LocalPort(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;
}
