using Microseg.TestSupport;

namespace Microseg.Bpf.Tests;

/// <summary>
/// The fixtures object loaded with its pins in a private bpffs directory. If loading
/// fails (e.g. under CI=true without privileges) the directory is removed before the
/// exception leaves the constructor: xunit does not dispose a class whose constructor threw.
/// </summary>
internal sealed class LoadedFixtures : IDisposable
{
    public LoadedFixtures()
    {
        Pins = new BpfPinDirectory();
        try
        {
            Object = Fixtures.Load(Pins.Path);
        }
        catch
        {
            Pins.Dispose();
            throw;
        }
    }

    public BpfPinDirectory Pins { get; }

    public BpfObject Object { get; }

    public void Dispose()
    {
        Object.Dispose();
        Pins.Dispose();
    }
}
