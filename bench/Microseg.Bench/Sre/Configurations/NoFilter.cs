namespace Microseg.Bench.Sre.Configurations;

/// <summary>no_filter: nothing on the receiver; the stack delivers every frame to the socket.</summary>
internal sealed class NoFilter : SreConfiguration
{
    public override string Name => "no_filter";
    public override bool Delivers => true;
    public override void Install(VethPair pair, RuleSet rules)
    {
    }
}
