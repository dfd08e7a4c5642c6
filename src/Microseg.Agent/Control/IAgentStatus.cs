namespace Microseg.Agent.Control;

/// <summary>
/// What the running daemon knows about itself: implemented by the daemon core, read by the
/// control API (<c>microsegctl status</c>) and by the Prometheus metrics, which are derived
/// from the same snapshot on every scrape so the two never disagree.
/// </summary>
public interface IAgentStatus
{
    /// <summary>A consistent picture of the daemon and its datapath right now.</summary>
    AgentStatusSnapshot Snapshot();

    /// <summary>Validates and applies the policy file again (what SIGHUP does).</summary>
    Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken);
}
