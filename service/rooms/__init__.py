"""Rooms: the workshop's participants vote on the drafted key points and pitch from their phones."""
