"""Docker fixtures for the tests under tests/deploy (see tests/deploy/docker_fixtures.py)."""

from tests.deploy.docker_fixtures import docker_engine, project_images, standin_images

__all__ = ["docker_engine", "project_images", "standin_images"]
