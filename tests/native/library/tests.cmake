# The reader's tests run against libraries made by the installed beets: a fixture-setup
# test runs the sample-library generator with the venv's Python (make passes
# -DPython_EXECUTABLE=.venv/bin/python) before any library_reader_test runs.
if(NOT Python_EXECUTABLE)
  find_program(Python_EXECUTABLE NAMES python3 python REQUIRED)
endif()
set(library_fixture_dir ${CMAKE_CURRENT_BINARY_DIR}/library_fixtures)
add_test(NAME library_fixture_samplelib
  COMMAND ${Python_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/fixtures/samplelib.py
    --items 400 --seed 7 --odd-paths --method add --force --quiet
    --out ${library_fixture_dir}/samplelib)
set_tests_properties(library_fixture_samplelib PROPERTIES
  FIXTURES_SETUP library_samplelib TIMEOUT 300)
set(library_reader_test_PROPERTIES FIXTURES_REQUIRED library_samplelib)
set(library_reader_test_DEFINITIONS
  SPOTIFY_EXTRACT_LIBRARY_FIXTURES="${library_fixture_dir}")
