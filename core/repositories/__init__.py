"""Repositories own every query; services and actors call them instead of building SQL themselves."""
