using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microseg.Agent.Tests.Notify;
using Microseg.Bpf;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// A three-tier lab: namespaces web, api, db and an attacker, each with one veth "eth0" whose
/// peer is a port of the bridge "br0" in a fifth namespace (the network), all on one IPv4 /24
/// (IPv6 off, so no neighbour discovery or MLD adds flows). microsegd attaches to eth0 in web, api
/// and db, with its own pin, state and socket directories. Dispose kills the daemon, runs
/// <c>microsegd --uninstall</c>, and deletes the namespaces and directories, whatever a failing
/// test left.
/// </summary>
internal sealed class ThreeTierLab : IDisposable
{
    public const int ApiPort = 8080, DbPort = 5432;

    private static int s_counter;

    private readonly List<DaemonProcess> _daemons = [];
    private readonly List<string> _namespaces = [];
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly BpfPinDirectory _pins;
    private readonly string _directory;
    private readonly string _prefix;
    private readonly int _subnet;

    public ThreeTierLab()
    {
        _prefix = $"ms-3t-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        _subnet = 100 + Environment.ProcessId % 100;
        _pins = new BpfPinDirectory();
        _directory = Directory.CreateTempSubdirectory("microsegd-3t-").FullName;
        Notify = new NotifySocket();
        try
        {
            var net = Namespace("net");
            Ip("-n", net, "link", "add", "br0", "type", "bridge");
            Ip("-n", net, "link", "set", "br0", "up");
            foreach (var (role, host) in new[] { ("web", 1), ("api", 2), ("db", 3), ("att", 66) })
            {
                var ns = Namespace(role);
                Ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", $"p-{role}", "netns", net);
                Ip("-n", net, "link", "set", $"p-{role}", "master", "br0", "up");
                Ip("-n", ns, "addr", "add", $"{Address(host)}/24", "dev", "eth0");
                Ip("-n", ns, "link", "set", "eth0", "up");
                Ip("-n", ns, "link", "set", "lo", "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NotifySocket Notify { get; }
    public IPAddress WebAddress => Address(1);
    public IPAddress ApiAddress => Address(2);
    public IPAddress DbAddress => Address(3);
    public IPAddress AttackerAddress => Address(66);
    public string PolicyPath => Path.Combine(_directory, "policy.yaml");
    public string StateDirectory => Path.Combine(_directory, "state");
    public string SocketPath => Path.Combine(_directory, "microseg.sock");
    public string FlowLogPath => Path.Combine(_directory, "flows.jsonl");
    public string PinDirectory => _pins.Combine("microseg");
    public string File(string name) => Path.Combine(_directory, name);

    /// <summary>The network namespace of a role: web, api, db, att or net.</summary>
    public string Ns(string role) => $"{_prefix}-{role}";

    private IPAddress Address(int host) => IPAddress.Parse($"10.78.{_subnet}.{host}");

    public string[] Arguments(params string[] extra) =>
    [
        "--config", "/dev/null",
        "--interface", $"eth0@{Ns("web")}",
        "--interface", $"eth0@{Ns("api")}",
        "--interface", $"eth0@{Ns("db")}",
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

    /// <summary>Identities web, api and db, an endpoint for each, no rules: the attacker is world.</summary>
    public string MonitorPolicy() => $$"""
        version: 1
        defaults: {mode: monitor, ingress: deny, egress: deny}
        identities:
          - name: web
            labels: {tier: web}
            addresses: [{{WebAddress}}]
          - name: api
            labels: {tier: api}
            addresses: [{{ApiAddress}}]
          - name: db
            labels: {tier: db}
            addresses: [{{DbAddress}}]
        endpoints:
          - identity: web
            addresses: [{{WebAddress}}]
          - identity: api
            addresses: [{{ApiAddress}}]
          - identity: db
            addresses: [{{DbAddress}}]
        rules: []
        management: []
        """;

    /// <summary>The monitor policy enforced, with the rules web → api tcp/8080 and api → db tcp/5432 at both ends.</summary>
    public string EnforcedPolicy() => MonitorPolicy().Replace("mode: monitor", "mode: enforce", StringComparison.Ordinal).Replace("rules: []", """
        rules:
          - {name: web-to-api, action: allow, direction: egress, local: {identity: web}, peer: {identity: api}, protocol: tcp, ports: [8080]}
          - {name: api-from-web, action: allow, direction: ingress, local: {identity: api}, peer: {identity: web}, protocol: tcp, ports: [8080]}
          - {name: api-to-db, action: allow, direction: egress, local: {identity: api}, peer: {identity: db}, protocol: tcp, ports: [5432]}
          - {name: db-from-api, action: allow, direction: ingress, local: {identity: db}, peer: {identity: api}, protocol: tcp, ports: [5432]}
        """.TrimEnd(), StringComparison.Ordinal);

    /// <summary>Replaces the policy file the way editors do: a new file renamed over the old one.</summary>
    public void WritePolicy(string text)
    {
        var temporary = PolicyPath + ".new";
        System.IO.File.WriteAllText(temporary, text);
        System.IO.File.Move(temporary, PolicyPath, overwrite: true);
    }

    /// <summary>A TCP service in a role's namespace: accepts, reads what comes, answers "ok" and closes.</summary>
    public void Serve(string role, IPAddress address, int port)
    {
        using var ns = NetworkNamespace.Open(Ns(role));
        var listener = ns.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
            return socket;
        });
        _listeners.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            var buffer = new byte[64];
                            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                            await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                            await client.SendAsync("ok"u8.ToArray(), SocketFlags.None, deadline.Token);
                        }
                        catch (Exception e) when (e is OperationCanceledException or SocketException)
                        {
                        }
                    }
                });
            }
        });
    }

    /// <summary>A request from a role's namespace: connect, send, read the answer; true when "ok" came back in time.</summary>
    public bool Call(string role, IPAddress address, int port, TimeSpan timeout)
    {
        using var ns = NetworkNamespace.Open(Ns(role));
        using var socket = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token).AsTask().GetAwaiter().GetResult();
            socket.SendAsync("hello"u8.ToArray(), SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
            var buffer = new byte[2];
            var read = socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
            return read == 2 && buffer[0] == (byte)'o';
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    /// <summary>Runs a program in a role's namespace to its end (killed after the timeout); its exit code and standard output.</summary>
    public (int ExitCode, string Output) RunIn(string role, TimeSpan timeout, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(IpTool.Find() ?? "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", Ns(role), program, .. arguments])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{program} {string.Join(' ', arguments)} in {role} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>microsegctl in this process, against this lab's daemon socket unless the arguments say otherwise.</summary>
    public static (int Code, string Out, string Err) Ctl(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Microseg.Cli.Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Namespace(string role)
    {
        var name = Ns(role);
        Ip("netns", "add", name);
        _namespaces.Add(name);
        // IPv6 off before any link is up: no router or neighbour solicitations, no MLD reports.
        var (code, _, error) = IpTool.TryRun("netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        if (code != 0)
            throw new InvalidOperationException($"sysctl in {name}: {error}");
        return name;
    }

    private static void Ip(params string[] arguments) => IpTool.Run(arguments);

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var listener in _listeners)
            listener.Dispose();
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
        foreach (var name in _namespaces)
            IpTool.TryRun("netns", "del", name);
        _pins.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
