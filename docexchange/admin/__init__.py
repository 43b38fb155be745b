"""Changes to the hub's directory, credentials, operators and configuration, from any face
(API, dashboard, CLI): each one transaction that writes its evidence leaf. A service layer
above `hub.py`, so the domain packages below it never need the Hub."""
