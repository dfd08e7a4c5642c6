namespace Microseg.TestSupport;

/// <summary>
/// "Allocates nothing" measured so that it cannot flake: the fewest managed bytes any of
/// several windows allocated on this thread. A one-off of the runtime's (a method promoted
/// between JIT tiers mid-window, a first-call stub) shows in one window; anything the code
/// under test allocates, on every call or every so often, shows in all of them.
/// </summary>
public static class Allocations
{
    /// <param name="window">What is measured.</param>
    /// <param name="windows">How many times.</param>
    /// <param name="prepare">Run before each window, not measured.</param>
    public static long FewestInAnyWindow(Action window, int windows = 5, Action? prepare = null)
    {
        long fewest = long.MaxValue;
        for (var i = 0; i < windows; i++)
        {
            prepare?.Invoke();
            var before = GC.GetAllocatedBytesForCurrentThread();
            window();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
