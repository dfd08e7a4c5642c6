using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Microseg.Agent.Hosting;

/// <summary>
/// One line per message. Under journald (JOURNAL_STREAM set: stderr is connected to the
/// journal) each line starts with its syslog priority, &lt;3&gt; error to &lt;7&gt; debug
/// (sd-daemon(3)), and carries no timestamp, which the journal adds; on a terminal it shows
/// the time and level instead.
/// </summary>
public sealed class JournalConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "microseg";

    private readonly bool _journal;

    public JournalConsoleFormatter(IOptions<ConsoleFormatterOptions> options)
        : this(!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM")))
    {
    }

    internal JournalConsoleFormatter(bool journal) : base(FormatterName) => _journal = journal;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
            return;
        if (logEntry.Exception is { } exception)
            message += " (" + exception.GetType().Name + ": " + exception.Message + ")";
        message = message.ReplaceLineEndings(" ");
        textWriter.Write(Format(logEntry.LogLevel, message, _journal, DateTimeOffset.Now));
    }

    /// <summary>The line for one message, newline included.</summary>
    public static string Format(LogLevel level, string message, bool journal, DateTimeOffset now) => journal
        ? $"<{Priority(level)}>{message}\n"
        : $"{now:HH:mm:ss.fff} {Label(level)} {message}\n";

    /// <summary>syslog(3) priorities: 2 critical, 3 error, 4 warning, 6 info, 7 debug.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Critical => "crit ",
        LogLevel.Error => "error",
        LogLevel.Warning => "warn ",
        LogLevel.Information => "info ",
        _ => "debug",
    };
}
