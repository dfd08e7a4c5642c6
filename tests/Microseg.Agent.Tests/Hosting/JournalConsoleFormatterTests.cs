using Microseg.Agent.Hosting;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Tests.Hosting;

public sealed class JournalConsoleFormatterTests
{
    [Theory]
    [InlineData(LogLevel.Critical, "<2>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Debug, "<7>")]
    public void UnderJournaldEachLineStartsWithItsSyslogPriority(LogLevel level, string prefix) =>
        Assert.Equal(prefix + "Applied policy.yaml.\n", JournalConsoleFormatter.Format(level, "Applied policy.yaml.", journal: true, DateTimeOffset.Now));

    [Fact]
    public void OnATerminalLinesCarryTimeAndLevelInstead()
    {
        var line = JournalConsoleFormatter.Format(LogLevel.Error, "Refused.", journal: false, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.Zero));
        Assert.Equal("03:04:05.006 error Refused.\n", line);
    }
}
