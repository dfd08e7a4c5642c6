namespace Microseg.Agent;

/// <summary>Builds and runs the daemon. (Skeleton: the daemon core fills this in.)</summary>
internal static class AgentMain
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("microsegd: not built yet");
        return 1;
    }
}
