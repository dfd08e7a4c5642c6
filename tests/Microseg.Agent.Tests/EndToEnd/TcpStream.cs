using System.Net.Sockets;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// A TCP stream kept busy both ways: the client sends numbered chunks every few milliseconds
/// and the server echoes them. Afterwards every byte must have come back in order, and each
/// end's retransmissions (TCP_INFO's tcpi_total_retrans) are what a lost packet would show:
/// a dropped segment is always retransmitted.
/// </summary>
internal sealed class TcpStream : IDisposable
{
    private const int Chunk = 512;
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _echo;
    private readonly Task<long> _send;
    private readonly Task<long> _receive;

    public TcpStream(Socket client, Socket server)
    {
        _client = client;
        _server = server;
        _echo = Task.Run(Echo);
        _send = Task.Run(Send);
        _receive = Task.Run(Receive);
    }

    /// <summary>Stops sending, waits for the echoes to drain; returns (sent, received back).</summary>
    public (long Sent, long Received) Finish(TimeSpan timeout)
    {
        _stop.Cancel();
        var sent = _send.Wait(timeout) ? _send.Result : -1;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && Volatile.Read(ref _received) < sent)
            Thread.Sleep(20);
        return (sent, Volatile.Read(ref _received));
    }

    private long _received;

    /// <summary>Segments each end retransmitted (tcpi_total_retrans).</summary>
    public (uint Client, uint Server) Retransmissions() => (TotalRetrans(_client), TotalRetrans(_server));

    private long Send()
    {
        long sent = 0;
        var buffer = new byte[Chunk];
        while (!_stop.IsCancellationRequested)
        {
            for (var i = 0; i < Chunk; i++)
                buffer[i] = (byte)(sent + i);
            _client.Send(buffer);
            sent += Chunk;
            Thread.Sleep(2);
        }
        return sent;
    }

    private void Echo()
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = _server.Receive(buffer);
                if (n == 0)
                    return;
                _server.Send(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private long Receive()
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = _client.Receive(buffer);
                if (n == 0)
                    break;
                var start = Volatile.Read(ref _received);
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] != (byte)((start + i) % Chunk + (start + i) / Chunk * Chunk))
                        throw new InvalidDataException($"byte {start + i} came back wrong");
                }
                Volatile.Write(ref _received, start + n);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        return Volatile.Read(ref _received);
    }

    /// <summary>struct tcp_info (linux/tcp.h): 8 bytes of u8 fields, then u32s; tcpi_total_retrans is the 24th.</summary>
    private static uint TotalRetrans(Socket socket)
    {
        const int IpProtoTcp = 6, TcpInfo = 11, TotalRetransOffset = 8 + 23 * 4;
        var info = new byte[256];
        var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        Assert.True(length >= TotalRetransOffset + 4, $"TCP_INFO returned {length} bytes");
        return BitConverter.ToUInt32(info, TotalRetransOffset);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _client.Dispose();
        _server.Dispose();
        try
        {
            Task.WaitAll([_echo, _send, _receive], TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
