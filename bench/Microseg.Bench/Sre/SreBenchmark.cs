using Microseg.Bpf;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microseg.Bench.Datapath;
using Microseg.Bench.Sre.Configurations;
using Microseg.Datapath.Fixtures;

namespace Microseg.Bench.Sre;

/// <summary>
/// Receive throughput of every configuration at every rule count, side by side. Per rule
/// count, each configuration gets its own veth pair with the configuration installed once;
/// then each round visits every configuration in turn (the order rotated each round, so none
/// is always first after a quiet spell): the generator floods its pair for the settle time,
/// then for one window, and the receiver's counters over the window give the rate. The
/// receiver runs on the generator's CPU by default: veth's NAPI poll runs in softirq right
/// after each generator batch, so the whole path is one core's work and the rate includes
/// the generator's cost per frame (the same for every configuration). With another receiver
/// CPU, the receiver's NAPI runs threaded and pinned there instead; on a VM, the cross-CPU
/// wake-ups that costs dominate the result, so it is not the default.
/// </summary>
internal sealed class SreBenchmark(SreSettings settings, string objectDirectory, TextWriter log)
{
    /// <summary>Notes for the report: what was skipped, how CPUs were used.</summary>
    public List<string> Notes { get; } = [];

    // libxdp (under xdp-filter) makes this directory for its lock and leaves it behind.
    private const string LibxdpPinDirectory = "/sys/fs/bpf/xdp";

    /// <summary>
    /// Measures every configuration; leaves the host as it found it, also when stopped by
    /// SIGINT or SIGTERM: those end the run at the next measurement (throwing
    /// OperationCanceledException) after its namespaces, pins and rules are removed.
    /// </summary>
    public List<Throughput> Run()
    {
        var libxdpDirectoryExisted = Directory.Exists(LibxdpPinDirectory);
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // not now: once the run has cleaned up after itself
            log.WriteLine($"{context.Signal}: stopping after this measurement, then removing what the run made");
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return RunRounds(stop.Token);
        }
        finally
        {
            if (!libxdpDirectoryExisted && Directory.Exists(LibxdpPinDirectory) &&
                !Directory.EnumerateFileSystemEntries(LibxdpPinDirectory).Any())
                Directory.Delete(LibxdpPinDirectory);
        }
    }

    private List<Throughput> RunRounds(CancellationToken stop)
    {
        var allowed = CpuAffinity.Allowed();
        var generatorCpu = settings.GeneratorCpu ?? allowed[^1];
        var receiverCpu = settings.ReceiverCpu ?? generatorCpu;
        var threaded = generatorCpu != receiverCpu;
        Notes.Add(threaded
            ? $"generator on CPU {generatorCpu}, receiver NAPI thread on CPU {receiverCpu}"
            : $"generator and receiver on CPU {generatorCpu} (receive in softirq after each generator batch): rates include the generator's cost");
        var results = new List<Throughput>();
        using var generator = new TrafficGenerator(objectDirectory);
        foreach (var ruleCount in settings.RuleCounts)
        {
            var lanes = new List<Lane>();
            try
            {
                foreach (var configuration in CreateConfigurations())
                {
                    stop.ThrowIfCancellationRequested();
                    lanes.Add(Lane.Create(lanes.Count, configuration, ruleCount, threaded ? receiverCpu : null, log));
                }
                var perLane = lanes.Select(_ => new List<double>()).ToArray();
                for (var round = 0; round < settings.Rounds; round++)
                {
                    for (var k = 0; k < lanes.Count; k++)
                    {
                        stop.ThrowIfCancellationRequested();
                        var index = (k + round) % lanes.Count;
                        var pps = Measure(generator, lanes[index], generatorCpu, out var detail);
                        perLane[index].Add(pps);
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {ruleCount,6} rules  round {round + 1}/{settings.Rounds}  {lanes[index].Configuration.Name,-20} {pps / 1000,9:F1} kpps  ({detail})"));
                    }
                }
                for (var i = 0; i < lanes.Count; i++)
                {
                    results.Add(new Throughput(lanes[i].Configuration.Name, ruleCount, perLane[i]));
                    if (lanes[i].Configuration.Describe() is { } counters)
                        Notes.Add($"{lanes[i].Configuration.Name} at {ruleCount} rules, {counters}");
                }
            }
            finally
            {
                foreach (var lane in lanes)
                    lane.Dispose();
            }
        }
        return results;
    }

    private double Measure(TrafficGenerator generator, Lane lane, int generatorCpu, out string detail)
    {
        ReceiverCounters before, after;
        long start, end, sentBefore, sentAfter;
        using (var run = generator.Start(lane.Pair, lane.Frame, generatorCpu))
        {
            Thread.Sleep(settings.Settle);
            before = ReceiverCounters.Read(lane.Pair);
            sentBefore = run.Frames;
            start = Stopwatch.GetTimestamp();
            Thread.Sleep(settings.Window);
            after = ReceiverCounters.Read(lane.Pair);
            sentAfter = run.Frames;
            end = Stopwatch.GetTimestamp();
        }
        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var delta = after - before;
        var counted = lane.Configuration.Delivers ? delta.Datagrams : delta.Frames;
        detail = string.Create(CultureInfo.InvariantCulture,
            $"sent {(sentAfter - sentBefore) / seconds / 1000:F0} kpps, veth rx {delta.Frames / seconds / 1000:F0} kpps, to the socket {delta.Datagrams / seconds / 1000:F0} kpps");
        return counted / seconds;
    }

    private List<SreConfiguration> CreateConfigurations()
    {
        var names = settings.Configurations.Length == 0 ? SreSettings.AllConfigurations : settings.Configurations;
        var list = new List<SreConfiguration>();
        foreach (var name in names)
        {
            SreConfiguration? c = name switch
            {
                "no_filter" => new NoFilter(),
                "xdp_pass" => new XdpReference(objectDirectory, drop: false),
                "xdp_drop" => new XdpReference(objectDirectory, drop: true),
                "microseg_allow" => new MicrosegFilter(objectDirectory, denyFlood: false),
                "microseg_deny_flood" => new MicrosegFilter(objectDirectory, denyFlood: true),
                "nft_set" => Needs("nft", () => new NftablesFilter(set: true)),
                "nft_linear" => Needs("nft", () => new NftablesFilter(set: false)),
                "iptables" => Needs("iptables-restore", () => new IptablesFilter()),
                "xdp_filter" => XdpFilterTool.Unavailable() is { } why ? Skip(name, why) : new XdpFilterTool(),
                _ => throw new ArgumentException($"unknown configuration '{name}'"),
            };
            if (c is not null)
                list.Add(c);
        }
        return list;

        SreConfiguration? Needs(string tool, Func<SreConfiguration> create) =>
            Shell.Has(tool) ? create() : Skip(create().Name, $"{tool} is not installed");

        SreConfiguration? Skip(string name, string why)
        {
            var note = $"{name} skipped: {why}";
            if (!Notes.Contains(note))
                Notes.Add(note);
            log.WriteLine($"  {note}");
            return null;
        }
    }

    /// <summary>A configuration on its own veth pair, with a UDP sink on the receiver and the frame to send.</summary>
    private sealed class Lane : IDisposable
    {
        private Socket? _sink;

        private Lane(SreConfiguration configuration, VethPair pair)
        {
            Configuration = configuration;
            Pair = pair;
        }

        public SreConfiguration Configuration { get; }
        public VethPair Pair { get; }
        public byte[] Frame { get; private set; } = [];

        public static Lane Create(int index, SreConfiguration configuration, int ruleCount, int? receiverCpu, TextWriter log)
        {
            VethPair pair;
            try
            {
                pair = new VethPair(index, threadedReceiver: receiverCpu is not null);
            }
            catch
            {
                configuration.Dispose();
                throw;
            }
            var lane = new Lane(configuration, pair);
            try
            {
                var rules = new RuleSet(ruleCount, pair.SenderAddress);
                var clock = Stopwatch.StartNew();
                configuration.Install(pair, rules);
                // The sink: datagrams to the allowed port reach a socket, never ICMP port unreachable.
                lane._sink = pair.Receiver.Run(() =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    socket.Bind(new IPEndPoint(pair.ReceiverAddress, rules.AllowedPort));
                    return socket;
                });
                var pinned = receiverCpu is { } cpu ? pair.PinReceiver(cpu) : 0;
                lane.Frame = UdpFrame.Build(pair.SenderMac, pair.ReceiverMac, pair.SenderAddress, pair.ReceiverAddress, configuration.DestinationPort(rules));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {configuration.Name,-20} installed with {ruleCount} rules on {pair.ReceiverInterface} in {clock.Elapsed.TotalSeconds:F1} s{(receiverCpu is null ? "" : $"; {pinned} NAPI thread(s) pinned")}"));
                if (receiverCpu is not null && pinned == 0)
                    throw new InvalidOperationException($"no threaded NAPI on {pair.ReceiverInterface}: the receiver cannot be kept on its own CPU");
                return lane;
            }
            catch
            {
                lane.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _sink?.Dispose();
            Configuration.Dispose();
            Pair.Dispose();
        }
    }
}
