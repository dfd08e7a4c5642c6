namespace Microseg.Bench;

/// <summary>The sub-commands' shared argument shape: <c>--check</c> is the one flag; every
/// other option takes a value.</summary>
internal static class BenchOptions
{
    /// <summary>Folds the arguments into settings; throws FormatException naming a bad one.</summary>
    public static T Fold<T>(ReadOnlySpan<string> args, T settings, Func<T, T> check, Func<T, string, string, T> option)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--check")
            {
                settings = check(settings);
                continue;
            }
            if (i + 1 >= args.Length)
                throw new FormatException($"{args[i]} needs a value");
            settings = option(settings, args[i], args[i + 1]);
            i++;
        }
        return settings;
    }
}
