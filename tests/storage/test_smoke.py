def test_bucket_and_file_round_trip(staff_api, backend_keys, django_capture_on_commit_callbacks):
    response = staff_api.call("create-bucket", {"name": "photos", "isPublic": True, "tags": ["a"]})
    assert response.status_code == 200, response.json()
    bucket = response.json()
    assert bucket["name"] == "photos" and bucket["tags"] == ["a"]
    response = staff_api.upload("photos", "hello.txt", "hello world", options={"contentType": "text/plain;charset=UTF-8"})
    assert response.status_code == 200, response.json()
    file = response.json()
    assert file["size"] == 11 and file["fileName"] == "hello.txt"
    assert file["mimeType"] == "text/plain;charset=UTF-8"
    response = staff_api.call("bucket/file/download", {"bucket": "photos", "file": "hello.txt"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello world"
    assert len(backend_keys()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_api.call("bucket/delete", {"bucket": "photos"}).status_code == 200
    assert backend_keys() == []
