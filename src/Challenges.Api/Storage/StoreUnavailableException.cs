using Challenges.Api.Http;

namespace Challenges.Api.Storage;

/// <summary>The store could not be reached or did not answer in time; requests answer 503.</summary>
public sealed class StoreUnavailableException : ServiceUnavailableException
{
    private const string Public = "The store is unreachable; try again shortly.";

    public StoreUnavailableException() : this("The store is unavailable.") { }
    public StoreUnavailableException(string message) : base(Public, message) { }
    public StoreUnavailableException(string message, Exception inner) : base(Public, message, inner) { }
}
