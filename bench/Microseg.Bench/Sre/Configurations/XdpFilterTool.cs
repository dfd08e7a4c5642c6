using System.Globalization;
using System.Text;

namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// xdp_filter: xdp-tools' xdp-filter on the receiver, native mode, policy deny (allow-list).
/// xdp-filter matches addresses and ports independently, not as pairs, so it is given the
/// rules' source addresses (src) and their ports (dst, udp): a looser policy than the others'
/// pairs, but the same lookups (hash of the address, array of the port).
/// </summary>
/// <remarks>
/// xdp-filter keeps its rules in maps pinned at /sys/fs/bpf/xdp-filter, shared by every
/// interface it is loaded on. If they exist before we start, someone on this host uses
/// xdp-filter, and this configuration is skipped rather than touching their rules. Entries are
/// written with one bpftool batch (xdp-filter itself takes one process per rule). The tool
/// runs under nsenter, not `ip netns exec`, which would hide bpffs behind the namespace's own
/// /sys mount.
/// </remarks>
internal sealed class XdpFilterTool : SreConfiguration
{
    private const string PinDirectory = "/sys/fs/bpf/xdp-filter";
    private const int MapFlagSource = 1, MapFlagDestination = 2, MapFlagUdp = 8;
    private VethPair? _pair;

    public override string Name => "xdp_filter";
    public override bool Delivers => true;

    /// <summary>Why this configuration cannot run here, or null.</summary>
    public static string? Unavailable() =>
        !Shell.Has("xdp-filter") ? "xdp-filter is not installed (xdp-tools)"
        : !Shell.Has("bpftool") ? "bpftool is not installed"
        : Directory.Exists(PinDirectory) ? $"{PinDirectory} exists: xdp-filter is in use on this host, and its rules are shared"
        : null;

    public override void Install(VethPair pair, RuleSet rules)
    {
        _pair = pair;
        XdpFilter(pair, "load", "--policy", "deny", "--mode", "native", pair.ReceiverInterface);
        var batch = new StringBuilder(rules.Count * 160);
        foreach (var (source, port) in rules.Rules())
        {
            batch.Append("map update pinned ").Append(PinDirectory).Append("/filter_ipv4 key ")
                 .Append(Hex(source.GetAddressBytes())).Append(" value ").Append(Hex(Value(MapFlagSource))).Append('\n');
            batch.Append("map update pinned ").Append(PinDirectory).Append("/filter_ports key ")
                 .Append(Hex([(byte)(port >> 8), (byte)port, 0, 0])).Append(" value ").Append(Hex(Value(MapFlagDestination | MapFlagUdp))).Append('\n');
        }
        var file = Path.Combine(Path.GetTempPath(), $"microseg-sre-{Environment.ProcessId}-xdp-filter.batch");
        File.WriteAllText(file, batch.ToString());
        try
        {
            Shell.Run("bpftool", ["batch", "file", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Unloads from the pair's interface and removes the pinned maps (they were not there before).</summary>
    public override void Dispose()
    {
        if (_pair is null)
            return;
        var (code, _, error) = Shell.TryRun("nsenter", [$"--net=/var/run/netns/{_pair.ReceiverNamespace}", "xdp-filter", "unload", "--all"], timeout: TimeSpan.FromSeconds(30));
        if (code != 0)
            Console.Error.WriteLine($"warning: xdp-filter unload: {error.Trim()}");
        _pair = null;
    }

    private static void XdpFilter(VethPair pair, params string[] arguments) =>
        Shell.Run("nsenter", [$"--net=/var/run/netns/{pair.ReceiverNamespace}", "xdp-filter", .. arguments], timeout: TimeSpan.FromSeconds(60));

    /// <summary>The 8-byte map value: the match flags (the per-CPU hit counter above them starts at 0).</summary>
    private static byte[] Value(int flags) => BitConverter.GetBytes((ulong)flags);

    private static string Hex(byte[] bytes) => string.Join(' ', bytes.Select(b => "0x" + b.ToString("x2", CultureInfo.InvariantCulture)));
}
