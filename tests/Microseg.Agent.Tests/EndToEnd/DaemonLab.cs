using System.Net;
using System.Net.Sockets;
using Microseg.Agent.Tests.Notify;
using Microseg.Bpf;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// A lab for the daemon: namespaces A (the client) and B (the protected server) joined by a
/// veth pair; microsegd runs in the test's namespace and attaches to B's end as
/// <c>veth-b@NS_B</c>, with its own bpffs pin directory, state directory, socket and policy
/// file. Dispose kills a daemon still running, runs <c>microsegd --uninstall</c> with the same
/// settings, and removes the directories and namespaces, whatever a failing test left.
/// </summary>
internal sealed class DaemonLab : IDisposable
{
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Expected = TimeSpan.FromSeconds(5);
    /// <summary>Waiting for something that must not happen (a dropped SYN is retried after 1 s).</summary>
    public static readonly TimeSpan Refused = TimeSpan.FromSeconds(1.5);

    private readonly List<DaemonProcess> _daemons = [];
    private readonly BpfPinDirectory _pins;
    private readonly string _directory;

    public DaemonLab()
    {
        Network = new TestNetwork();
        _pins = new BpfPinDirectory();
        _directory = Directory.CreateTempSubdirectory("microsegd-e2e-").FullName;
        A = Network.OpenA();
        B = Network.OpenB();
        Notify = new NotifySocket();
    }

    public TestNetwork Network { get; }
    public NetworkNamespace A { get; }
    public NetworkNamespace B { get; }
    public NotifySocket Notify { get; }
    public string PolicyPath => Path.Combine(_directory, "policy.yaml");
    public string StateDirectory => Path.Combine(_directory, "state");
    public string PinDirectory => _pins.Combine("microseg");
    public string FlowLogPath => Path.Combine(_directory, "flows.jsonl");
    public string SocketPath => Path.Combine(_directory, "microseg.sock");

    /// <summary>The daemon's arguments: this lab's everything, metrics off (tests run in parallel).</summary>
    public string[] Arguments(params string[] extra) =>
    [
        "--config", "/dev/null",
        "--interface", $"{Network.InterfaceB}@{Network.NamespaceB}",
        "--policy", PolicyPath,
        "--bpf-dir", Path.Combine(ArtifactPaths.RepositoryRoot, "artifacts", "bpf"),
        "--state-dir", StateDirectory,
        "--pin-dir", PinDirectory,
        "--control-socket", SocketPath,
        "--metrics-address", "none",
        "--flow-log", FlowLogPath,
        "--reload-debounce", "200ms",
        "--interface-poll", "1s",
        .. extra,
    ];

    public DaemonProcess StartDaemon(params string[] extra)
    {
        var daemon = DaemonProcess.Start(Arguments(extra), Notify.Name);
        _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>
    /// A policy for B: endpoint "server" (B's addresses) enforcing default-deny ingress;
    /// "client" (A's addresses) may reach the listed TCP ports.
    /// </summary>
    public string Policy(params int[] allowedPorts) => $$"""
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - name: client
            labels: {role: client}
            addresses: [{{Network.AddressA4}}, "{{Network.AddressA6}}"]
          - name: server
            labels: {role: server}
            addresses: [{{Network.AddressB4}}, "{{Network.AddressB6}}"]
        endpoints:
          - identity: server
            addresses: [{{Network.AddressB4}}, "{{Network.AddressB6}}"]
        rules:
          - name: client-to-server
            action: allow
            direction: ingress
            local: {identity: server}
            peer: {identity: client}
            protocol: tcp
            ports: [{{string.Join(", ", allowedPorts)}}]
        management: []
        """;

    /// <summary>Replaces the policy file the way editors do: a new file renamed over the old one.</summary>
    public void WritePolicy(string text)
    {
        var temporary = PolicyPath + ".new";
        File.WriteAllText(temporary, text);
        File.Move(temporary, PolicyPath, overwrite: true);
    }

    public Socket Listen(int port) => B.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(Network.AddressB4, port));
        socket.Listen();
        return socket;
    });

    /// <summary>A connection from A to B:port, or null when it did not complete in time.</summary>
    public Socket? TryConnect(int port, TimeSpan timeout)
    {
        var socket = A.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            socket.ConnectAsync(new IPEndPoint(Network.AddressB4, port), deadline.Token).AsTask().GetAwaiter().GetResult();
            return socket;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    public void AssertAllowed(int port)
    {
        using var socket = TryConnect(port, Expected);
        Assert.True(socket is not null, $"a connection to port {port} should pass");
    }

    public void AssertDenied(int port)
    {
        using var socket = TryConnect(port, Refused);
        Assert.True(socket is null, $"a connection to port {port} should be dropped");
    }

    /// <summary>Polls until port's connections pass (a reload takes effect); fails after the timeout.</summary>
    public void WaitUntilAllowed(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var socket = TryConnect(port, TimeSpan.FromMilliseconds(300));
            if (socket is not null)
                return;
        }
        Assert.Fail($"port {port} was not allowed within {timeout.TotalSeconds} s");
    }

    /// <summary>The XDP and TC egress program ids on B's veth (0 when none).</summary>
    public (uint Xdp, uint Tc) AttachedProgramIds() => B.Run(() =>
    {
        var xdp = Xdp.QueryAttachedProgramId(Network.IfindexB, out _);
        var tc = Tc.QueryEgressProgramId(Network.IfindexB);
        return (xdp, tc);
    });

    /// <summary>
    /// Duplicate SACKs a namespace's TCP received (TcpExt TCPDSACKRecv + TCPDSACKOfoRecv): each
    /// says a retransmitted segment had arrived the first time, so the retransmission was
    /// spurious (a tail loss probe or a late timer on a busy machine), not a repair of a loss.
    /// </summary>
    public static long DuplicateSacksReceived(NetworkNamespace ns) => ns.Run(() =>
    {
        var lines = File.ReadAllLines("/proc/thread-self/net/netstat");
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            if (!lines[i].StartsWith("TcpExt:", StringComparison.Ordinal))
                continue;
            var names = lines[i].Split(' ');
            var values = lines[i + 1].Split(' ');
            return Enumerable.Range(1, names.Length - 1)
                .Where(k => names[k] is "TCPDSACKRecv" or "TCPDSACKOfoRecv")
                .Sum(k => long.Parse(values[k], System.Globalization.CultureInfo.InvariantCulture));
        }
        throw new InvalidOperationException("no TcpExt line in /proc/net/netstat");
    });

    /// <summary>The name of a program by id.</summary>
    public static string ProgramName(uint id)
    {
        using var program = BpfProgram.OpenById(id);
        return program.Name;
    }

    public void Dispose()
    {
        foreach (var daemon in _daemons)
            daemon.Dispose();
        try
        {
            var (exitCode, log) = DaemonProcess.RunToEnd(Arguments("--uninstall"), TimeSpan.FromSeconds(20));
            if (exitCode != 0)
                Console.Error.WriteLine($"warning: microsegd --uninstall exited with {exitCode}: {log}");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"warning: microsegd --uninstall: {e.Message}");
        }
        Notify.Dispose();
        A.Dispose();
        B.Dispose();
        Network.Dispose();
        _pins.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
