using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Tmds.Linux;

namespace Microseg.Agent.Attribution;

/// <summary>
/// A NETLINK_SOCK_DIAG socket that asks the kernel for the one socket of a flow's local side
/// (SOCK_DIAG_BY_FAMILY with an exact <c>inet_diag_req_v2</c>, not a dump) and reads its cgroup
/// v2 id from the INET_DIAG_CGROUP_ID attribute (Linux 5.7 and later; sent with every full
/// socket, no extension flag needed). Sees the sockets of the network namespace it was opened
/// in. Not thread-safe: one resolver thread uses it.
/// </summary>
/// <remarks>
/// The kernel's exact lookup is the one the packet path uses: an established socket matching
/// the four-tuple, else the listening (TCP) or bound (UDP) socket on the local address and port.
/// TCP reads the request's source as the local side; UDP reads its destination as the local side
/// (udp_dump_one calls __udp_lib_lookup with the request's source as the packet's source), so
/// the request is written accordingly. A TCP socket still in its handshake (a request socket) or
/// in TIME-WAIT has no cgroup attribute: the listening socket on the port is asked for instead.
/// </remarks>
internal sealed class SockDiagSocket : IDisposable
{
    // linux/sock_diag.h, linux/inet_diag.h, linux/netlink.h.
    private const ushort SockDiagByFamily = 20, NlmsgError = 2, NlmFRequest = 1;
    private const ushort InetDiagCgroupId = 21;
    private const byte AfInet = 2, AfInet6 = 10;
    private const byte TcpListen = 10, UdpUnconnected = 7; // TCP_LISTEN; TCP_CLOSE is what an unconnected UDP socket reports
    private const int HeaderLength = 16, RequestLength = 56, DiagMessageLength = 72;
    private const int NetlinkSockDiag = 4; // NETLINK_SOCK_DIAG (linux/netlink.h; Tmds.LibC 0.5.0 names no netlink protocols)

    /// <summary>How long an answer may take: the kernel answers at once, so this only bounds a fault.</summary>
    private static readonly TimeVal ReceiveTimeout = new() { Seconds = 1 };

    /// <summary>The netlink socket.</summary>
    private readonly SafeFdHandle _socket;
    private readonly byte[] _request = new byte[HeaderLength + RequestLength];
    private readonly byte[] _answer = new byte[8192];
    private uint _sequence;

    private SockDiagSocket(SafeFdHandle socket) => _socket = socket;

    /// <summary>Mirrors <c>struct timeval</c> on 64-bit Linux (Tmds.LibC 0.5.0 has none).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    /// <summary>Opens a socket in the calling thread's network namespace. Throws <see cref="IOException"/> saying which call failed.</summary>
    public static unsafe SockDiagSocket Open()
    {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NetlinkSockDiag);
        if (fd < 0)
            throw Failure("socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
        var handle = new SafeFdHandle(fd);
        var timeout = ReceiveTimeout;
        int rc;
        using (BorrowedFd socket = handle.Borrow())
            rc = LibC.setsockopt(socket.Fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &timeout, sizeof(TimeVal));
        if (rc != 0)
        {
            var failure = Failure("setsockopt(SO_RCVTIMEO) on the sock_diag socket");
            handle.Dispose();
            throw failure;
        }
        return new SockDiagSocket(handle);
    }

    /// <summary>
    /// The socket of the flow's local side: the exact connection's, else the listening or bound
    /// socket on <paramref name="localPort"/>; null when there is none (closed already, or never
    /// a socket: a denied probe to a closed port). Throws <see cref="IOException"/> when the kernel cannot be asked.
    /// </summary>
    public SocketMatch? Find(byte protocol, IpAddress16 local, ushort localPort, IpAddress16 remote, ushort remotePort)
    {
        if (protocol is not (6 or 17))
            return null;
        return Query(protocol, local, localPort, remote, remotePort)
            ?? (remotePort == 0 ? null : Query(protocol, local, localPort, default, 0));
    }

    private unsafe SocketMatch? Query(byte protocol, IpAddress16 local, ushort localPort, IpAddress16 remote, ushort remotePort)
    {
        bool v4 = local.IsIPv4Mapped;
        Span<byte> r = _request;
        r.Clear();
        uint sequence = ++_sequence;
        BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)r.Length);                  // nlmsg_len
        BinaryPrimitives.WriteUInt16LittleEndian(r[4..], SockDiagByFamily);           // nlmsg_type
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], NlmFRequest);                // nlmsg_flags: one answer, no dump
        BinaryPrimitives.WriteUInt32LittleEndian(r[8..], sequence);                   // nlmsg_seq; nlmsg_pid 0
        Span<byte> q = r[HeaderLength..];
        q[0] = v4 ? AfInet : AfInet6;                                                 // sdiag_family
        q[1] = protocol;                                                              // sdiag_protocol
        BinaryPrimitives.WriteUInt32LittleEndian(q[4..], uint.MaxValue);              // idiag_states: any
        // inet_diag_sockid at 8: sport, dport (network order), src[16], dst[16], if, cookie[2].
        bool localIsSource = protocol == 6;
        BinaryPrimitives.WriteUInt16BigEndian(q[8..], localIsSource ? localPort : remotePort);
        BinaryPrimitives.WriteUInt16BigEndian(q[10..], localIsSource ? remotePort : localPort);
        WriteAddress(q.Slice(12, 16), localIsSource ? local : remote, v4);
        WriteAddress(q.Slice(28, 16), localIsSource ? remote : local, v4);
        BinaryPrimitives.WriteUInt32LittleEndian(q[48..], uint.MaxValue);             // INET_DIAG_NOCOOKIE
        BinaryPrimitives.WriteUInt32LittleEndian(q[52..], uint.MaxValue);

        long sent;
        fixed (byte* request = _request)
        using (BorrowedFd socket = _socket.Borrow())
            sent = LibC.send(socket.Fd, request, _request.Length, 0);
        if (sent < 0)
            throw Failure("send on the sock_diag socket");
        while (true)
        {
            int length = ReceiveOne();
            var answer = _answer.AsSpan(0, length);
            for (int at = 0; at + HeaderLength <= answer.Length;)
            {
                int messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(answer[at..]);
                if (messageLength < HeaderLength || at + messageLength > answer.Length)
                    break;
                var message = answer.Slice(at, messageLength);
                if (BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) == sequence)
                    return Read(message, protocol);
                at += (messageLength + 3) & ~3;
            }
            // An answer to an earlier request that timed out: skip it, ours follows.
        }
    }

    private static SocketMatch? Read(ReadOnlySpan<byte> message, byte protocol)
    {
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        if (type == NlmsgError || type != SockDiagByFamily || message.Length < HeaderLength + DiagMessageLength)
            return null; // ENOENT: no such socket (an error here names no fault of ours)
        var diag = message[HeaderLength..];
        byte state = diag[1];
        for (int at = DiagMessageLength; at + 4 <= diag.Length;)
        {
            ushort attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(diag[at..]);
            ushort attributeType = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(diag[(at + 2)..]) & 0x3fff);
            if (attributeLength < 4 || at + attributeLength > diag.Length)
                break;
            if (attributeType == InetDiagCgroupId && attributeLength >= 12)
            {
                ulong cgroup = BinaryPrimitives.ReadUInt64LittleEndian(diag[(at + 4)..]);
                bool shared = protocol == 6 ? state == TcpListen : state == UdpUnconnected;
                return new SocketMatch(cgroup, shared);
            }
            at += (attributeLength + 3) & ~3;
        }
        return null; // a request or TIME-WAIT socket: no cgroup
    }

    private unsafe int ReceiveOne()
    {
        while (true)
        {
            long received;
            fixed (byte* answer = _answer)
            using (BorrowedFd socket = _socket.Borrow())
                received = LibC.recv(socket.Fd, answer, _answer.Length, 0);
            if (received >= 0)
                return (int)received;
            int errno = Interop.LastErrno;
            if (errno == LibC.EINTR)
                continue;
            throw errno == LibC.EAGAIN
                ? new IOException("the kernel did not answer a sock_diag request within a second")
                : Failure("recv on the sock_diag socket", errno);
        }
    }

    private static void WriteAddress(Span<byte> destination, IpAddress16 address, bool v4)
    {
        ReadOnlySpan<byte> bytes = address.Bytes;
        (v4 ? bytes[12..] : bytes).CopyTo(destination);
    }

    private static IOException Failure(string call, int? errno = null)
    {
        int code = errno ?? Interop.LastErrno;
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(code)} (errno {code})");
    }

    public void Dispose() => _socket.Dispose();
}
