using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Microseg.Bpf;

public sealed unsafe partial class BpfProgram
{
    /// <summary>
    /// Runs the program on <paramref name="packetIn"/> in the kernel (BPF_PROG_TEST_RUN)
    /// <paramref name="repeat"/> times, writing the resulting packet into
    /// <paramref name="packetOut"/> (may be empty). Allocates nothing. XDP and TC programs
    /// need at least an Ethernet header (14 bytes) of input.
    /// </summary>
    public BpfTestRunResult TestRun(ReadOnlySpan<byte> packetIn, Span<byte> packetOut, uint repeat = 1)
        => TestRun(packetIn, packetOut, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, repeat);

    /// <summary>
    /// As <see cref="TestRun(ReadOnlySpan{byte}, Span{byte}, uint)"/> with a typed context
    /// (for XDP an <see cref="XdpMd"/>, for TC a mirror of struct __sk_buff) passed in and
    /// written back into <paramref name="context"/>.
    /// </summary>
    public BpfTestRunResult TestRun<TContext>(ReadOnlySpan<byte> packetIn, Span<byte> packetOut, ref TContext context, uint repeat = 1)
        where TContext : unmanaged
    {
        // The ref may point into the heap: pin it for the call.
        fixed (TContext* pinned = &context)
        {
            var bytes = new Span<byte>(pinned, sizeof(TContext));
            return TestRun(packetIn, packetOut, bytes, bytes, repeat);
        }
    }

    /// <summary>
    /// The general form: raw context bytes in (ctx_in) and out (ctx_out); either may be empty.
    /// For XDP the context is struct xdp_md (see <see cref="XdpMd"/> for what the kernel
    /// accepts); for TC it is struct __sk_buff, of which the kernel accepts only mark,
    /// priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and
    /// hwtstamp non-zero (ifindex must name a device in the caller's namespace).
    /// </summary>
    public BpfTestRunResult TestRun(ReadOnlySpan<byte> packetIn, Span<byte> packetOut, ReadOnlySpan<byte> contextIn, Span<byte> contextOut, uint repeat = 1)
        => TestRun(packetIn, packetOut, contextIn, contextOut, repeat, BpfTestRunFlags.None, batchSize: 0);

    /// <summary>
    /// The general form with the run's <paramref name="flags"/> and, for
    /// <see cref="BpfTestRunFlags.XdpLiveFrames"/>, <paramref name="batchSize"/>: frames run
    /// per batch before the kernel flushes what they transmitted or redirected (0 = the
    /// kernel's default, 64).
    /// </summary>
    public BpfTestRunResult TestRun(ReadOnlySpan<byte> packetIn, Span<byte> packetOut, ReadOnlySpan<byte> contextIn, Span<byte> contextOut, uint repeat, BpfTestRunFlags flags, uint batchSize)
    {
        if (repeat == 0 || repeat > int.MaxValue)
            ThrowRepeat(repeat);
        int rc;
        BpfTestRunOpts opts;
        fixed (byte* dataIn = packetIn)
        fixed (byte* dataOut = packetOut)
        fixed (byte* contextInPointer = contextIn)
        fixed (byte* contextOutPointer = contextOut)
        {
            opts = new BpfTestRunOpts
            {
                Size = (nuint)sizeof(BpfTestRunOpts),
                DataIn = dataIn,
                DataSizeIn = (uint)packetIn.Length,
                DataOut = packetOut.IsEmpty ? null : dataOut,
                DataSizeOut = (uint)packetOut.Length,
                ContextIn = contextIn.IsEmpty ? null : contextInPointer,
                ContextSizeIn = (uint)contextIn.Length,
                ContextOut = contextOut.IsEmpty ? null : contextOutPointer,
                ContextSizeOut = (uint)contextOut.Length,
                Repeat = (int)repeat,
                Flags = (uint)flags,
                BatchSize = batchSize,
            };
            rc = Interop.Libbpf.bpf_prog_test_run_opts(Handle, &opts);
        }
        if (rc != 0)
            ThrowTestRun(rc, packetIn.Length, packetOut.Length, opts.DataSizeOut);
        return new BpfTestRunResult(opts.ReturnValue, opts.Duration, (int)opts.DataSizeOut, contextOut.IsEmpty ? 0 : (int)opts.ContextSizeOut);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTestRun(int rc, int inLength, int outCapacity, uint outNeeded)
    {
        string detail = -rc == Interop.ENOSPC
            ? $"the output span ({outCapacity} bytes) is smaller than the packet the program produced ({outNeeded} bytes)"
            : $"{this}, {inLength}-byte packet";
        Interop.Throw(rc, "bpf_prog_test_run_opts", detail);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRepeat(uint repeat)
        => throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "repeat must be between 1 and int.MaxValue.");
}
