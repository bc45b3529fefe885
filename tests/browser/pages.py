"""What the browser tests do on every visit: log in through the login page as a person would."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(context, live_server, username, password=PASSWORD):
    """A new page of `context`, logged in as `username`; confirmation dialogs are accepted."""
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text("退出")
    return page
