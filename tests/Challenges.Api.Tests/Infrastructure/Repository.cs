namespace Challenges.Api.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (the binaries sit below it).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Challenges.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Challenges.sln not found above the test binaries.");
    }
}
