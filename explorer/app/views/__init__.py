"""The app's views, side by side: each builds its part of the page from the registry and shared components;
none imports another (what two views share lives in explorer/app/)."""
