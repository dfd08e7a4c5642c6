using System.Net;
using Microseg.Bpf;

namespace Microseg.Bench.Sre;

/// <summary>
/// One configuration's private network: a sender namespace and a receiver namespace joined by
/// a veth pair, made here and deleted on Dispose. Nothing outside these two namespaces is
/// touched. Every pair has its own interface names (so the receiver's NAPI thread can be found
/// by name), fixed MAC addresses (so frames can be built without asking) and its own /24.
/// </summary>
/// <remarks>
/// On request the receiver's NAPI runs threaded (/sys/class/net/DEV/threaded = 1), in a
/// kernel thread named <c>napi/DEV-ID</c> that <see cref="PinReceiver"/> pins to one CPU,
/// apart from the generator's; otherwise it runs in softirq on the CPU that sent. veth needs GRO requested (ethtool -K gro
/// on) or an XDP program on the receiving end to accept XDP_TX'd frames at all.
/// </remarks>
internal sealed class VethPair : IDisposable
{
    private const string Netns = "/var/run/netns";
    private readonly NetworkNamespace? _sender;
    private readonly NetworkNamespace? _receiver;

    /// <param name="index">0 to 250: picks the names, MACs and the /24.</param>
    /// <param name="threadedReceiver">Whether the receiver's NAPI runs in its own kernel thread (else in softirq on the CPU that sent).</param>
    public VethPair(int index, bool threadedReceiver)
    {
        if (index is < 0 or > 250)
            throw new ArgumentOutOfRangeException(nameof(index), index, "pair index must be 0 to 250");
        SenderNamespace = $"ms-sre-{Environment.ProcessId}-{index}-a";
        ReceiverNamespace = $"ms-sre-{Environment.ProcessId}-{index}-b";
        SenderInterface = $"sre{index}a";
        ReceiverInterface = $"sre{index}b";
        SenderMac = [0x02, 0x5e, 0x00, 0x00, (byte)index, 0x01];
        ReceiverMac = [0x02, 0x5e, 0x00, 0x00, (byte)index, 0x02];
        SenderAddress = IPAddress.Parse($"10.88.{index}.1");
        ReceiverAddress = IPAddress.Parse($"10.88.{index}.2");
        try
        {
            Ip("netns", "add", SenderNamespace);
            Ip("netns", "add", ReceiverNamespace);
            Ip("-n", SenderNamespace, "link", "add", SenderInterface, "address", Mac(SenderMac), "type", "veth",
               "peer", "name", ReceiverInterface, "address", Mac(ReceiverMac), "netns", ReceiverNamespace);
            Ip("-n", SenderNamespace, "addr", "add", SenderAddress + "/24", "dev", SenderInterface);
            Ip("-n", ReceiverNamespace, "addr", "add", ReceiverAddress + "/24", "dev", ReceiverInterface);
            // The sender never resolves the receiver: frames carry its MAC already. A static
            // neighbour on the receiver keeps ARP out of the measured path too.
            Ip("-n", ReceiverNamespace, "neigh", "add", SenderAddress.ToString(), "lladdr", Mac(SenderMac), "dev", ReceiverInterface);
            foreach (var (ns, dev) in new[] { (SenderNamespace, SenderInterface), (ReceiverNamespace, ReceiverInterface), (SenderNamespace, "lo"), (ReceiverNamespace, "lo") })
                Ip("-n", ns, "link", "set", dev, "up");
            // veth reports GRO on but only enables its NAPI (which XDP_TX'd frames need, and
            // which threading needs) once GRO is asked for explicitly.
            Shell.Run("ip", ["netns", "exec", ReceiverNamespace, "ethtool", "-K", ReceiverInterface, "gro", "on"]);
            // `ip netns exec` mounts the namespace's own sysfs, where the device is visible.
            if (threadedReceiver)
                Shell.Run("ip", ["netns", "exec", ReceiverNamespace, "sh", "-c", $"echo 1 > /sys/class/net/{ReceiverInterface}/threaded"]);
            _sender = NetworkNamespace.Open(SenderNamespace);
            _receiver = NetworkNamespace.Open(ReceiverNamespace);
            SenderIfindex = _sender.Run(() => NetworkNamespace.InterfaceIndex(SenderInterface));
            ReceiverIfindex = _receiver.Run(() => NetworkNamespace.InterfaceIndex(ReceiverInterface));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string SenderNamespace { get; }
    public string ReceiverNamespace { get; }
    public string SenderInterface { get; }
    public string ReceiverInterface { get; }
    public byte[] SenderMac { get; }
    public byte[] ReceiverMac { get; }
    public IPAddress SenderAddress { get; }
    public IPAddress ReceiverAddress { get; }
    /// <summary>ifindex of <see cref="SenderInterface"/> inside the sender namespace.</summary>
    public int SenderIfindex { get; }
    /// <summary>ifindex of <see cref="ReceiverInterface"/> inside the receiver namespace.</summary>
    public int ReceiverIfindex { get; }
    public NetworkNamespace Sender => _sender!;
    public NetworkNamespace Receiver => _receiver!;

    /// <summary>
    /// Pins the receiver's NAPI kernel thread(s) to <paramref name="cpu"/>. Called after the
    /// configuration is installed: attaching XDP may re-create the NAPI context and its thread.
    /// Returns how many threads were pinned (0: NAPI is not threaded here, and the receive runs
    /// in softirq on the sending CPU — the caller reports that).
    /// </summary>
    public int PinReceiver(int cpu)
    {
        var pinned = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(task);
            if (!int.TryParse(pid, out _))
                continue;
            string comm;
            try
            {
                comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
            catch (IOException)
            {
                continue;
            }
            if (!comm.StartsWith($"napi/{ReceiverInterface}-", StringComparison.Ordinal))
                continue;
            Shell.Run("taskset", ["-pc", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture), pid]);
            pinned++;
        }
        return pinned;
    }

    /// <summary>Deletes both namespaces (which removes the veth and whatever is attached to it); never throws.</summary>
    public void Dispose()
    {
        _sender?.Dispose();
        _receiver?.Dispose();
        foreach (var ns in new[] { SenderNamespace, ReceiverNamespace })
        {
            if (!File.Exists(Path.Combine(Netns, ns)))
                continue;
            var (code, _, error) = Shell.TryRun("ip", ["netns", "delete", ns], timeout: TimeSpan.FromSeconds(30));
            if (code != 0)
                Console.Error.WriteLine($"warning: could not delete network namespace {ns}: {error.Trim()}");
        }
    }

    private static void Ip(params string[] arguments) => Shell.Run("ip", arguments, timeout: TimeSpan.FromSeconds(30));

    private static string Mac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
