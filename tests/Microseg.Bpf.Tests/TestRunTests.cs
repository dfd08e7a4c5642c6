using System.Runtime.InteropServices;
using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class TestRunTests : IDisposable
{
    private const uint XdpDrop = 1, XdpPass = 2, TcActOk = 0;

    private readonly LoadedFixtures _fixtures = new();

    private BpfObject Bpf => _fixtures.Object;

    public void Dispose() => _fixtures.Dispose();

    [PrivilegedFact]
    public void Xdp_pass_returns_XDP_PASS_with_the_packet_and_a_plausible_duration()
    {
        byte[] frame = Fixtures.Frame();
        var output = new byte[256];
        BpfTestRunResult result = Bpf.GetProgram("xdp_pass").TestRun(frame, output, repeat: 1000);
        Assert.Equal(XdpPass, result.ReturnValue);
        Assert.Equal(frame.Length, result.PacketOutLength);
        Assert.Equal(frame, output[..result.PacketOutLength]);
        Assert.InRange(result.DurationNs, 0u, 1_000_000u); // average per run: nanoseconds, not milliseconds
    }

    [PrivilegedFact]
    public void A_too_short_packet_is_rejected_with_EINVAL()
    {
        var error = Assert.Throws<BpfException>(() => Bpf.GetProgram("xdp_pass").TestRun(new byte[4], Span<byte>.Empty));
        Assert.Equal("bpf_prog_test_run_opts", error.Call);
        Assert.Equal(22, error.Errno);
    }

    [PrivilegedFact]
    public void Test_run_allocates_nothing()
    {
        BpfProgram program = Bpf.GetProgram("xdp_pass");
        byte[] frame = Fixtures.Frame();
        var output = new byte[256];
        program.TestRun(frame, output);
        Assert.Equal(0, Allocations.FewestInAnyWindow(() =>
        {
            for (int i = 0; i < 1000; i++)
                program.TestRun(frame, output);
        }));
    }

    [PrivilegedFact]
    public void Xdp_context_accepts_loopback_as_ingress_device_and_rejects_what_the_kernel_forbids()
    {
        BpfProgram program = Bpf.GetProgram("xdp_pass");
        byte[] frame = Fixtures.Frame();

        // ingress_ifindex 1 (lo exists in every namespace), queue 0: accepted.
        XdpMd context = XdpMd.ForPacket(frame.Length, ingressIfindex: 1);
        Assert.Equal(XdpPass, program.TestRun(frame, Span<byte>.Empty, ref context).ReturnValue);

        // A device that does not exist in this namespace: ENODEV.
        context = XdpMd.ForPacket(frame.Length, ingressIfindex: 999_999);
        Assert.Equal(19, Assert.Throws<BpfException>(() => program.TestRun(frame, Span<byte>.Empty, ref context)).Errno);

        // A queue the device does not have: EINVAL.
        context = XdpMd.ForPacket(frame.Length, ingressIfindex: 1, rxQueueIndex: 1000);
        Assert.Equal(22, Assert.Throws<BpfException>(() => program.TestRun(frame, Span<byte>.Empty, ref context)).Errno);

        // data_end beyond the packet: EINVAL (6.18 accepts data_end <= length; older kernels wanted equality).
        context = XdpMd.ForPacket(frame.Length + 1);
        Assert.Equal(22, Assert.Throws<BpfException>(() => program.TestRun(frame, Span<byte>.Empty, ref context)).Errno);

        // egress_ifindex must be 0.
        context = XdpMd.ForPacket(frame.Length);
        context.EgressIfindex = 1;
        Assert.Equal(22, Assert.Throws<BpfException>(() => program.TestRun(frame, Span<byte>.Empty, ref context)).Errno);
    }

    [PrivilegedFact]
    public void Tc_program_runs_with_and_without_an_skb_context()
    {
        BpfProgram program = Bpf.GetProgram("tc_pass");
        byte[] frame = Fixtures.Frame();
        Assert.Equal(TcActOk, program.TestRun(frame, Span<byte>.Empty).ReturnValue);

        // struct __sk_buff is 192 bytes; mark (offset 8) is one of the fields a test run may set.
        var skb = new byte[192];
        MemoryMarshal.Write(skb.AsSpan(8), 0x1234u);
        var skbOut = new byte[192];
        BpfTestRunResult result = program.TestRun(frame, Span<byte>.Empty, skb, skbOut);
        Assert.Equal(TcActOk, result.ReturnValue);
        Assert.Equal(192, result.ContextOutLength);
        Assert.Equal(0x1234u, MemoryMarshal.Read<uint>(skbOut.AsSpan(8)));
    }

    [PrivilegedFact]
    public void Ring_producer_drops_and_counts_runs()
    {
        BpfProgram program = Bpf.GetProgram("xdp_ring_producer");
        Assert.Equal(XdpDrop, program.TestRun(Fixtures.Frame(), Span<byte>.Empty, repeat: 3).ReturnValue);
        Assert.True(Bpf.GetMap("interop_array").As<uint, Counter>().TryLookup(1, out Counter runs));
        Assert.Equal(3UL, runs.Value);
    }
}
