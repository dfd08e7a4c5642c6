namespace Microseg.Bpf;

/// <summary>The flags of BPF_PROG_TEST_RUN (linux/bpf.h, BPF_F_TEST_*).</summary>
[Flags]
public enum BpfTestRunFlags : uint
{
    /// <summary>The default: run on the calling CPU, packets go nowhere.</summary>
    None = 0,
    /// <summary>BPF_F_TEST_RUN_ON_CPU: run on the CPU named in the options (not exposed here yet).</summary>
    RunOnCpu = 1,
    /// <summary>
    /// BPF_F_TEST_XDP_LIVE_FRAMES (XDP only, kernel 5.18+): each repetition is a real frame
    /// whose verdict is carried out — XDP_TX sends it out of the context's ingress device,
    /// XDP_REDIRECT redirects it, XDP_PASS hands it to the stack. No packet or context comes
    /// back (the output spans must be empty), and the context must name an ingress device in
    /// the calling thread's network namespace.
    /// </summary>
    XdpLiveFrames = 2,
}
