namespace Challenges.Api.Storage;

/// <summary>The store could not be reached or did not answer in time; requests answer 503.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException() : base("The store is unavailable.") { }
    public StoreUnavailableException(string message) : base(message) { }
    public StoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
