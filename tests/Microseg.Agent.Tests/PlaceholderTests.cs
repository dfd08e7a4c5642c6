namespace Microseg.Agent.Tests;

public sealed class AgentProjectTests
{
    [Fact]
    public void TheDaemonAssemblyIsNamedMicrosegd() =>
        Assert.Equal("microsegd", typeof(Program).Assembly.GetName().Name);
}
