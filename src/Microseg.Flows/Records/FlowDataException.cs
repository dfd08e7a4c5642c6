namespace Microseg.Flows.Records;

/// <summary>A flow file or graph file that cannot be read: the message is one sentence naming the file (and line).</summary>
public sealed class FlowDataException(string message, Exception? inner = null) : Exception(message, inner);
