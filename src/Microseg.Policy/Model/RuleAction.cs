namespace Microseg.Policy.Model;

/// <summary>A verdict: what a rule or a default does with a packet.</summary>
public enum RuleAction
{
    Allow,
    Deny,
}
