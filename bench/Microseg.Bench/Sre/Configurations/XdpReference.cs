using Microseg.Bpf;

namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// xdp_pass and xdp_drop: an XDP program that only passes (the floor any XDP filter pays on
/// top of the stack) or only drops (the most any XDP filter can absorb), native on the receiver.
/// </summary>
internal sealed class XdpReference(string objectDirectory, bool drop) : SreConfiguration
{
    private BpfObject? _object;

    public override string Name => drop ? "xdp_drop" : "xdp_pass";
    public override bool Delivers => !drop;

    public override void Install(VethPair pair, RuleSet rules)
    {
        _object = BpfObject.Open(Path.Combine(objectDirectory, "trafficgen.bpf.o"));
        _object.Load();
        var program = _object.GetProgram(drop ? "trafficgen_drop" : "trafficgen_pass");
        pair.Receiver.Run(() => Xdp.Attach(pair.ReceiverIfindex, program, XdpAttachMode.Native));
    }

    public override void Dispose() => _object?.Dispose();
}
