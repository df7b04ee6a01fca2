package dev.morgana.http;

/** What a server does with each request. Called on the connection's virtual thread; may block. */
@FunctionalInterface
public interface HttpHandler {

    /**
     * Answers {@code request}. The request's body may be read until this returns, not after.
     *
     * @param request the request
     * @return the response
     * @throws Exception anything unexpected: the client gets 500 and the connection is closed
     */
    HttpResponse handle(HttpRequest request) throws Exception;
}
