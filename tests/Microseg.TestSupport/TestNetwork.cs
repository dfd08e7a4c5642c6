using System.Collections.Concurrent;
using System.Net;
using Microseg.Bpf;

namespace Microseg.TestSupport;

/// <summary>
/// Two fresh network namespaces joined by a veth pair, with IPv4 and IPv6 addresses and
/// links up. Each instance gets its own namespace names and address range. Dispose deletes
/// both namespaces (which removes the veth); a process-exit hook removes any a crashed
/// test left behind.
/// </summary>
public sealed class TestNetwork : IDisposable
{
    /// <summary>Namespaces created and not yet deleted, for the process-exit sweep.</summary>
    private static readonly ConcurrentDictionary<string, byte> s_live = new();
    private static int s_counter;

    static TestNetwork() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string name in s_live.Keys)
            DeleteNamespace(name);
    };

    /// <summary>Creates the namespaces and the veth pair; on any failure removes what was made and throws.</summary>
    public TestNetwork()
    {
        int instance = Interlocked.Increment(ref s_counter);
        string prefix = $"ms-t-{Environment.ProcessId}-{instance}";
        NamespaceA = prefix + "-a";
        NamespaceB = prefix + "-b";
        // Each interface lives in its own fresh namespace, so short fixed names cannot clash (limit: 15 characters).
        InterfaceA = "veth-a";
        InterfaceB = "veth-b";
        int subnet = instance % 250;
        AddressA4 = IPAddress.Parse($"10.77.{subnet}.1");
        AddressB4 = IPAddress.Parse($"10.77.{subnet}.2");
        AddressA6 = IPAddress.Parse($"fd00:77:{subnet:x}::1");
        AddressB6 = IPAddress.Parse($"fd00:77:{subnet:x}::2");
        try
        {
            Create(NamespaceA);
            Create(NamespaceB);
            IpTool.Run("-n", NamespaceA, "link", "add", InterfaceA, "type", "veth", "peer", "name", InterfaceB, "netns", NamespaceB);
            Configure(NamespaceA, InterfaceA, AddressA4, AddressA6);
            Configure(NamespaceB, InterfaceB, AddressB4, AddressB6);
            using (NetworkNamespace a = OpenA())
                IfindexA = a.Run(() => NetworkNamespace.InterfaceIndex(InterfaceA));
            using (NetworkNamespace b = OpenB())
                IfindexB = b.Run(() => NetworkNamespace.InterfaceIndex(InterfaceB));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Name of the first namespace (under /var/run/netns).</summary>
    public string NamespaceA { get; }
    /// <summary>Name of the second namespace.</summary>
    public string NamespaceB { get; }
    /// <summary>The veth end in namespace A.</summary>
    public string InterfaceA { get; }
    /// <summary>The veth end in namespace B.</summary>
    public string InterfaceB { get; }
    /// <summary>ifindex of <see cref="InterfaceA"/> inside namespace A.</summary>
    public int IfindexA { get; }
    /// <summary>ifindex of <see cref="InterfaceB"/> inside namespace B.</summary>
    public int IfindexB { get; }
    /// <summary>IPv4 address of A (/24).</summary>
    public IPAddress AddressA4 { get; }
    /// <summary>IPv4 address of B (/24).</summary>
    public IPAddress AddressB4 { get; }
    /// <summary>IPv6 address of A (/64, no DAD).</summary>
    public IPAddress AddressA6 { get; }
    /// <summary>IPv6 address of B (/64, no DAD).</summary>
    public IPAddress AddressB6 { get; }

    /// <summary>Opens namespace A for <see cref="NetworkNamespace.Run{T}(Func{T})"/>.</summary>
    public NetworkNamespace OpenA() => NetworkNamespace.Open(NamespaceA);

    /// <summary>Opens namespace B.</summary>
    public NetworkNamespace OpenB() => NetworkNamespace.Open(NamespaceB);

    /// <summary>Deletes both namespaces; never throws.</summary>
    public void Dispose()
    {
        DeleteNamespace(NamespaceA);
        DeleteNamespace(NamespaceB);
    }

    private static void Create(string name)
    {
        s_live[name] = 0;
        IpTool.Run("netns", "add", name);
        IpTool.Run("-n", name, "link", "set", "lo", "up");
    }

    private static void Configure(string ns, string device, IPAddress v4, IPAddress v6)
    {
        IpTool.Run("-n", ns, "addr", "add", v4 + "/24", "dev", device);
        IpTool.Run("-n", ns, "addr", "add", v6 + "/64", "dev", device, "nodad");
        IpTool.Run("-n", ns, "link", "set", device, "up");
    }

    private static void DeleteNamespace(string name)
    {
        if (!s_live.TryRemove(name, out _))
            return;
        try
        {
            (int exitCode, _, string error) = IpTool.TryRun("netns", "delete", name);
            if (exitCode != 0 && File.Exists(Path.Combine(NetworkNamespace.NamedNamespaceDirectory, name)))
                Console.Error.WriteLine($"warning: could not delete network namespace {name}: {error.Trim()}");
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"warning: could not delete network namespace {name}: {exception.Message}");
        }
    }
}
