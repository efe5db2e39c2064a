namespace Challenges.Api.Users;

/// <summary>
/// Data kept beside a user that goes when the user is deleted (their actions, for one). Each store of such data
/// implements it; deleting a user runs every one after the user document is emptied.
/// </summary>
public interface IUserErasure
{
    Task EraseAsync(string tenantId, string userId);
}
