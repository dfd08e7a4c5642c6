using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microseg.TestSupport;
using Xunit.Abstractions;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 10, item 2, with the real daemon: the server's interface has addresses the policy
/// never names (its IPv6 link-local address, and secondary addresses added while microsegd
/// runs). They belong to the endpoint owning the interface, so a port the policy denies stays
/// closed on them, while the allowed port opens on every address (which also needs IPv6
/// neighbor discovery to work); status names each unlisted address.
/// </summary>
public sealed class UnlistedAddressTests(ITestOutputHelper log)
{
    private const int AllowedPort = 7301, DeniedPort = 7302;

    [PrivilegedFact]
    public void ADeniedPortStaysClosedOnLinkLocalAndLaterAddedAddresses()
    {
        using var lab = new DaemonLab();
        var net = lab.Network;
        var linkLocal = WaitForLinkLocal(net.NamespaceB, net.InterfaceB);
        var clientLinkLocal = WaitForLinkLocal(net.NamespaceA, net.InterfaceA);
        log.WriteLine($"server link-local: {linkLocal}, client link-local: {clientLinkLocal}");
        // The client connects to a link-local address from its own: that one is the client's too.
        var clientAddresses = $"addresses: [{net.AddressA4}, \"{net.AddressA6}\"]";
        lab.WritePolicy(lab.Policy(AllowedPort).Replace(clientAddresses,
            $"addresses: [{net.AddressA4}, \"{net.AddressA6}\", \"{clientLinkLocal}\"]", StringComparison.Ordinal));
        using var allowedListener = ListenEverywhere(lab, AllowedPort);
        using var deniedListener = ListenEverywhere(lab, DeniedPort);

        // Unprotected, every address answers on both ports: the checks below can fail.
        Assert.True(Reaches(lab, linkLocal, DeniedPort, DaemonLab.Expected), "before microsegd, link-local:denied should connect");

        lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);

        // The listed addresses: the policy as written.
        Assert.True(Reaches(lab, net.AddressB4, AllowedPort, DaemonLab.Expected), "listed IPv4, allowed port");
        Assert.True(Reaches(lab, net.AddressB6, AllowedPort, DaemonLab.Expected), "listed IPv6, allowed port");
        Assert.False(Reaches(lab, net.AddressB6, DeniedPort, DaemonLab.Refused), "listed IPv6, denied port");

        // The link-local address no endpoint lists: judged as the server endpoint.
        Assert.False(Reaches(lab, linkLocal, DeniedPort, DaemonLab.Refused), "link-local, denied port");
        Assert.True(Reaches(lab, linkLocal, AllowedPort, DaemonLab.Expected), "link-local, allowed port (needs neighbor discovery)");

        // Secondary addresses added while microsegd runs: covered at once, with no reload.
        var subnet = net.AddressB4.GetAddressBytes()[2];
        var secondary4 = IPAddress.Parse($"10.77.{subnet}.99");
        var secondary6 = IPAddress.Parse($"fd00:77:{subnet:x}::99");
        IpTool.Run("-n", net.NamespaceB, "addr", "add", secondary4 + "/24", "dev", net.InterfaceB);
        IpTool.Run("-n", net.NamespaceB, "addr", "add", secondary6 + "/64", "dev", net.InterfaceB, "nodad");
        Assert.False(Reaches(lab, secondary4, DeniedPort, DaemonLab.Refused), "secondary IPv4 added later, denied port");
        Assert.False(Reaches(lab, secondary6, DeniedPort, DaemonLab.Refused), "secondary IPv6 added later, denied port");
        Assert.True(Reaches(lab, secondary6, AllowedPort, DaemonLab.Expected), "secondary IPv6 added later, allowed port");

        // Status names every unlisted address with its interface, once the daemon has re-read them.
        var interfaceName = $"{net.InterfaceB}@{net.NamespaceB}";
        string[] expected = [linkLocal.ToString(), secondary4.ToString(), secondary6.ToString()];
        var clock = Stopwatch.StartNew();
        string status;
        do
        {
            var result = ThreeTierLab.Ctl("status", "--socket", lab.SocketPath);
            Assert.True(result.Code == 0, result.Err);
            status = result.Out;
            if (expected.All(a => status.Contains($"{interfaceName}: address {a} is listed by no endpoint", StringComparison.Ordinal)))
                break;
            Thread.Sleep(200);
        } while (clock.Elapsed < TimeSpan.FromSeconds(10));
        log.WriteLine(status);
        foreach (var address in expected)
            Assert.Contains($"{interfaceName}: address {address} is listed by no endpoint; it is judged as endpoint 'server'", status);
        Assert.DoesNotContain($"address {net.AddressB6} is listed", status);
    }

    [PrivilegedFact]
    public void AnInterfaceBecomesOwnedWhenAnEndpointsAddressAppearsOnItWhileMicrosegdRuns()
    {
        using var lab = new DaemonLab();
        var net = lab.Network;
        var linkLocal = WaitForLinkLocal(net.NamespaceB, net.InterfaceB);
        // The server endpoint lists only an address B does not have yet: B's interface has no owner.
        var subnet = net.AddressB4.GetAddressBytes()[2];
        var later = IPAddress.Parse($"10.77.{subnet}.77");
        var listed = $"addresses: [{net.AddressB4}, \"{net.AddressB6}\"]";
        var policy = lab.Policy(AllowedPort);
        var endpoints = policy.IndexOf("endpoints:", StringComparison.Ordinal);
        lab.WritePolicy(policy[..endpoints] + policy[endpoints..].Replace(listed, $"addresses: [{later}]", StringComparison.Ordinal));
        using var deniedListener = ListenEverywhere(lab, DeniedPort);

        var daemon = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        Assert.True(Reaches(lab, linkLocal, DeniedPort, DaemonLab.Expected), "no owner yet: the link-local address is not judged (documented)");

        IpTool.Run("-n", net.NamespaceB, "addr", "add", later + "/24", "dev", net.InterfaceB);
        // The daemon re-reads the interfaces every poll (1 s in the lab) and writes the new owner.
        var clock = Stopwatch.StartNew();
        while (Reaches(lab, linkLocal, DeniedPort, TimeSpan.FromMilliseconds(500)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the interface got no owner within 15 s of the endpoint's address appearing on it");
            Thread.Sleep(200);
        }
        log.WriteLine($"owned after {clock.Elapsed.TotalSeconds:F1} s");
        // The owner is written to the kernel before the line is logged, and the log is read
        // from the daemon's output asynchronously: the line may trail the enforcement a little.
        daemon.WaitForLog($"Interface owners changed ({net.InterfaceB}@{net.NamespaceB}: server)", TimeSpan.FromSeconds(10));
        Assert.False(Reaches(lab, net.AddressB6, DeniedPort, DaemonLab.Refused), "B's other addresses are the server's now too");
    }

    // An interface's IPv6 link-local address once duplicate address detection has finished with it.
    private static IPAddress WaitForLinkLocal(string ns, string device)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var text = IpTool.Run("-n", ns, "-6", "-o", "addr", "show", "dev", device, "scope", "link");
            var line = text.Split('\n').FirstOrDefault(l => l.Contains("inet6 fe80:", StringComparison.Ordinal) && !l.Contains("tentative", StringComparison.Ordinal));
            if (line is not null)
            {
                var field = line[(line.IndexOf("inet6 ", StringComparison.Ordinal) + 6)..].Split(' ')[0];
                return IPAddress.Parse(field.Split('/')[0]);
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"{device} in {ns} got no usable link-local address in 10 s");
    }

    // A dual-stack listener on every address of B that accepts and closes every connection, so
    // that a full accept queue never passes for a dropped SYN. Disposing it ends the loop.
    private static Socket ListenEverywhere(DaemonLab lab, int port)
    {
        var socket = lab.B.Run(() =>
        {
            var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            listener.Listen(64);
            return listener;
        });
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                    (await socket.AcceptAsync()).Dispose();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        return socket;
    }

    // Whether a TCP connection from A to address:port completes within the timeout.
    private static bool Reaches(DaemonLab lab, IPAddress address, int port, TimeSpan timeout)
    {
        var target = address.IsIPv6LinkLocal ? new IPAddress(address.GetAddressBytes(), lab.Network.IfindexA) : address;
        using var socket = lab.A.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            socket.ConnectAsync(new IPEndPoint(target, port), deadline.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }
}
