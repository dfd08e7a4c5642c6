namespace Microseg.Agent;

/// <summary>microsegd's entry point.</summary>
public static class Program
{
    public static int Main(string[] args) => AgentMain.Run(args);
}
