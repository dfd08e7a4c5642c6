using Microseg.Bpf;
using Microseg.Bench.Datapath;
using Microseg.Datapath.Fixtures;

namespace Microseg.Bench.Sre;

/// <summary>
/// Our packet generator: trafficgen.bpf.o's XDP_TX program run through BPF_PROG_TEST_RUN with
/// live frames, its context naming the sender's veth, so each repetition is a frame sent to
/// the receiver. Runs on its own thread, pinned to one CPU and switched into the sender's
/// namespace (the ingress device must be in the caller's namespace), until stopped.
/// </summary>
internal sealed class TrafficGenerator : IDisposable
{
    /// <summary>
    /// Frames per test run: ~1 ms at the generator's full rate, so the syscall's cost vanishes,
    /// and ~1.5 s behind a 10,000-rule chain (6 kpps), so a stop request waits little.
    /// </summary>
    private const uint FramesPerCall = 8192;
    /// <summary>The kernel's default batch, sized to veth's 256-frame ring with room to spare.</summary>
    private const uint BatchSize = 64;

    /// <summary>The veth pair index (see <see cref="VethPair"/>) of the dispatcher hold.</summary>
    private const int HolderIndex = 250;

    private readonly BpfObject _object;
    private readonly BpfProgram _program;
    private readonly VethPair? _holder;

    public TrafficGenerator(string objectDirectory)
    {
        _object = BpfObject.Open(Path.Combine(objectDirectory, "trafficgen.bpf.o"));
        _object.Load();
        _program = _object.GetProgram("trafficgen_tx");
        // A test run of more than one frame puts its program into the kernel's XDP dispatcher
        // and takes it out again, each a dispatcher rewrite that waits for an RCU grace period:
        // ~25 ms a call here, which capped the generator at ~0.3 Mpps with 8,192 frames a call.
        // Attached to a veth of its own, the program stays in the dispatcher, and a call costs
        // ~20 us (~7.9 Mpps into an XDP drop on this machine).
        try
        {
            _holder = new VethPair(HolderIndex, threadedReceiver: false);
            _holder.Sender.Run(() => Xdp.Attach(_holder.SenderIfindex, _program, XdpAttachMode.Native));
        }
        catch
        {
            _holder?.Dispose();
            _object.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="frame"/> out of <paramref name="pair"/>'s sender interface on a
    /// thread pinned to <paramref name="cpu"/> until the returned run is disposed.
    /// </summary>
    public Run Start(VethPair pair, byte[] frame, int cpu) => new(this, pair, frame, cpu);

    public void Dispose()
    {
        _holder?.Dispose();
        _object.Dispose();
    }

    /// <summary>One generator run; Dispose stops it and returns once the thread has finished.</summary>
    public sealed class Run : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private Exception? _failure;

        internal Run(TrafficGenerator generator, VethPair pair, byte[] frame, int cpu)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    using var pin = CpuAffinity.PinTo(cpu);
                    pair.Sender.Run(() =>
                    {
                        var context = XdpMd.ForPacket(frame.Length, pair.SenderIfindex);
                        while (!_stop)
                        {
                            Span<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<XdpMd>(ref context));
                            generator._program.TestRun(frame, [], bytes, [], FramesPerCall, BpfTestRunFlags.XdpLiveFrames, BatchSize);
                            Interlocked.Add(ref _frames, FramesPerCall);
                        }
                    });
                }
                catch (Exception e)
                {
                    _failure = e;
                }
            })
            { IsBackground = true, Name = "sre-generator" };
            _thread.Start();
        }

        /// <summary>Frames handed to the kernel so far (approximate while running).</summary>
        public long Frames => Volatile.Read(ref _frames);

        private long _frames;

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
            if (_failure is not null)
                throw new InvalidOperationException($"the traffic generator failed: {_failure.Message}", _failure);
        }
    }
}
